using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chaos.Harness.Kafka;

/// <summary>
/// Names shared by both ends of the control channel of <c>chaos kafka</c>: one JSON object per
/// line, each request answered by one line. See docs/embedded-kafka.md.
/// </summary>
public static class KafkaControlProtocol
{
    public const string Info = "info";
    public const string CreateTopic = "create-topic";
    public const string BrokerDown = "broker-down";
    public const string BrokerUp = "broker-up";
    public const string SetRtt = "set-rtt";
    public const string PushRequestErrors = "push-request-errors";
    public const string PushBrokerRequestErrors = "push-broker-request-errors";
    public const string ClearRequestErrors = "clear-request-errors";
    public const string SpareBroker = "spare-broker";
    public const string PendingBrokerRequestErrors = "pending-broker-request-errors";
    public const string SetPartitionLeader = "set-partition-leader";
    public const string SetCoordinator = "set-coordinator";
    public const string SetGroupInitialRebalanceDelay = "set-group-initial-rebalance-delay";
    public const string SetGroupConsumerSessionTimeout = "set-group-consumer-session-timeout";
    public const string SetGroupConsumerHeartbeatInterval = "set-group-consumer-heartbeat-interval";
    public const string Shutdown = "shutdown";

    /// <summary>Error kinds of a <c>{"ok":false,"error":...}</c> answer.</summary>
    public const string InvalidArgument = "invalid-argument";
    public const string KafkaError = "kafka";
    public const string BadRequest = "bad-request";
    public const string InternalError = "internal";

    /// <summary>Longest request line the host reads; a longer one is refused and the connection closed.</summary>
    public const int MaxLineLength = 64 * 1024;

    // Relaxed escaping keeps answers readable by a person at a terminal ("'" stays "'").
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
