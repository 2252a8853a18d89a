namespace Chaos.Reference.Hosting;

/// <summary>Body of POST /admin/downstream on the jobs role.</summary>
internal sealed record DownstreamSettings(double? FailureRate, int? LatencyMs);
