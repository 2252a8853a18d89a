using Chaos.Harness.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// The next requests of one type (API key) to any broker fail with the given errors, in order: retriable ones
/// (<see cref="Retriable"/>) are what a client sees during a leader election or a coordinator failover, and it is
/// expected to retry; non-retriable ones (<see cref="NonRetriable"/>) fail the request for good and reach the caller. Heal: the errors still pending
/// are cleared. Needs the mock's API: a real broker cannot be told to do this.
/// </summary>
public sealed class RequestErrorsFault : IFault
{
    private readonly IKafkaFaults _kafka;

    public RequestErrorsFault(IKafkaFaults kafka, KafkaApiKey apiKey, IReadOnlyList<KafkaErrorCode> errors)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("at least one error is needed", nameof(errors));
        }

        if (!Enum.IsDefined(apiKey))
        {
            throw new ArgumentOutOfRangeException(nameof(apiKey), apiKey, "unknown API key");
        }

        _kafka = kafka;
        ApiKey = apiKey;
        Errors = [.. errors];
    }

    public string Name => "request-errors";

    public string Target => ApiKey.ToString();

    public KafkaApiKey ApiKey { get; }

    /// <summary>The errors answered, in order.</summary>
    public IReadOnlyList<KafkaErrorCode> Errors { get; }

    /// <summary>The retriable errors a scenario injects into <paramref name="apiKey"/> requests, <paramref name="count"/> of them.</summary>
    public static IReadOnlyList<KafkaErrorCode> Retriable(KafkaApiKey apiKey, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        KafkaErrorCode[] cycle = apiKey switch
        {
            KafkaApiKey.Produce => [KafkaErrorCode.NotLeaderOrFollower, KafkaErrorCode.RequestTimedOut, KafkaErrorCode.NotEnoughReplicas],
            KafkaApiKey.Fetch => [KafkaErrorCode.NotLeaderOrFollower, KafkaErrorCode.LeaderNotAvailable],
            KafkaApiKey.OffsetCommit or KafkaApiKey.OffsetFetch or KafkaApiKey.Heartbeat or KafkaApiKey.JoinGroup or KafkaApiKey.SyncGroup or KafkaApiKey.FindCoordinator =>
                [KafkaErrorCode.CoordinatorNotAvailable, KafkaErrorCode.CoordinatorLoadInProgress],
            _ => [KafkaErrorCode.RequestTimedOut],
        };
        return [.. Enumerable.Range(0, count).Select(i => cycle[i % cycle.Length])];
    }

    /// <summary>
    /// Errors no client retries away, <paramref name="count"/> of them: a request refused for good. Produce and Fetch
    /// answer TOPIC_AUTHORIZATION_FAILED (an ACL removed in production; librdkafka fails the produced messages at once,
    /// whatever <c>message.timeout.ms</c> says, so the caller's own failure path runs), the group APIs
    /// GROUP_AUTHORIZATION_FAILED, anything else INVALID_REQUEST.
    /// </summary>
    public static IReadOnlyList<KafkaErrorCode> NonRetriable(KafkaApiKey apiKey, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var error = apiKey switch
        {
            KafkaApiKey.Produce or KafkaApiKey.Fetch or KafkaApiKey.ListOffsets => KafkaErrorCode.TopicAuthorizationFailed,
            KafkaApiKey.OffsetCommit or KafkaApiKey.OffsetFetch or KafkaApiKey.Heartbeat or KafkaApiKey.JoinGroup or KafkaApiKey.SyncGroup or KafkaApiKey.FindCoordinator or KafkaApiKey.LeaveGroup =>
                KafkaErrorCode.GroupAuthorizationFailed,
            _ => KafkaErrorCode.InvalidRequest,
        };
        return [.. Enumerable.Repeat(error, count)];
    }

    public Task ApplyAsync(CancellationToken cancellationToken) => _kafka.PushRequestErrorsAsync(ApiKey, Errors, cancellationToken).AsTask();

    public Task HealAsync(CancellationToken cancellationToken) => _kafka.ClearRequestErrorsAsync(ApiKey, cancellationToken).AsTask();
}
