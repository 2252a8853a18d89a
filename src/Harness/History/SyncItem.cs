namespace Chaos.Harness.History;

/// <summary>One message of a device's durable inbox in a <c>sync</c>.</summary>
public readonly record struct SyncItem(string Id, long Seq);
