using System.Text.Json.Serialization;

namespace Chaos.Harness.Kafka;

/// <summary>Which kind of coordinator <see cref="IKafkaFaults.SetCoordinatorAsync"/> moves.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KafkaCoordinatorType>))]
public enum KafkaCoordinatorType
{
    /// <summary>The group coordinator of a consumer group (key: group.id).</summary>
    [JsonStringEnumMemberName("group")]
    Group,

    /// <summary>The transaction coordinator of a transactional producer (key: transactional.id).</summary>
    [JsonStringEnumMemberName("transaction")]
    Transaction,
}
