namespace Chaos.Harness.Faults.Kafka;

/// <summary>One record of a topic as <see cref="TopicRecords.ReadAll"/> read it (key and value as UTF-8 text; null when absent).</summary>
public readonly record struct TopicRecord(int Partition, long Offset, string? Key, string? Value);
