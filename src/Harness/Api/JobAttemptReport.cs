namespace Chaos.Harness.Api;

/// <summary>One processing attempt as the system stamped it: wall-clock ms, its attempt number, its outcome.</summary>
public sealed record JobAttemptReport(long AtMs, int Attempt, string? Outcome);
