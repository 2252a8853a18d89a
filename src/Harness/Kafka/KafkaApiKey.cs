using System.Text.Json.Serialization;

namespace Chaos.Harness.Kafka;

/// <summary>Kafka protocol request types (API keys) the harness injects faults into.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KafkaApiKey>))]
public enum KafkaApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    JoinGroup = 11,
    Heartbeat = 12,
    LeaveGroup = 13,
    SyncGroup = 14,
    InitProducerId = 22,
    ConsumerGroupHeartbeat = 68,
}
