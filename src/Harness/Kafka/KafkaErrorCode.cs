using System.Text.Json.Serialization;

namespace Chaos.Harness.Kafka;

/// <summary>
/// Kafka protocol error codes (and librdkafka's negative local codes) the harness uses. Any other
/// code can still be passed as a number. The JSON names are Kafka's own (REBALANCE_IN_PROGRESS).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<KafkaErrorCode>))]
public enum KafkaErrorCode
{
    /// <summary>librdkafka's local code: the mock broker closes the client's connection instead of answering.</summary>
    [JsonStringEnumMemberName("_TRANSPORT")]
    Transport = -195,

    [JsonStringEnumMemberName("NO_ERROR")]
    NoError = 0,

    [JsonStringEnumMemberName("UNKNOWN_TOPIC_OR_PART")]
    UnknownTopicOrPartition = 3,

    [JsonStringEnumMemberName("LEADER_NOT_AVAILABLE")]
    LeaderNotAvailable = 5,

    [JsonStringEnumMemberName("NOT_LEADER_OR_FOLLOWER")]
    NotLeaderOrFollower = 6,

    [JsonStringEnumMemberName("REQUEST_TIMED_OUT")]
    RequestTimedOut = 7,

    [JsonStringEnumMemberName("BROKER_NOT_AVAILABLE")]
    BrokerNotAvailable = 8,

    [JsonStringEnumMemberName("COORDINATOR_LOAD_IN_PROGRESS")]
    CoordinatorLoadInProgress = 14,

    [JsonStringEnumMemberName("COORDINATOR_NOT_AVAILABLE")]
    CoordinatorNotAvailable = 15,

    [JsonStringEnumMemberName("NOT_COORDINATOR")]
    NotCoordinator = 16,

    [JsonStringEnumMemberName("NOT_ENOUGH_REPLICAS")]
    NotEnoughReplicas = 19,

    [JsonStringEnumMemberName("ILLEGAL_GENERATION")]
    IllegalGeneration = 22,

    [JsonStringEnumMemberName("UNKNOWN_MEMBER_ID")]
    UnknownMemberId = 25,

    [JsonStringEnumMemberName("REBALANCE_IN_PROGRESS")]
    RebalanceInProgress = 27,

    [JsonStringEnumMemberName("TOPIC_AUTHORIZATION_FAILED")]
    TopicAuthorizationFailed = 29,

    [JsonStringEnumMemberName("GROUP_AUTHORIZATION_FAILED")]
    GroupAuthorizationFailed = 30,

    [JsonStringEnumMemberName("TOPIC_ALREADY_EXISTS")]
    TopicAlreadyExists = 36,

    [JsonStringEnumMemberName("INVALID_REQUEST")]
    InvalidRequest = 42,
}
