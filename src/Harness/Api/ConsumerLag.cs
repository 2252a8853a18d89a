namespace Chaos.Harness.Api;

/// <summary>How many records of <paramref name="Topic"/> the consumer group <paramref name="Group"/> has not yet committed.</summary>
public sealed record ConsumerLag(string Group, string Topic, long Lag);
