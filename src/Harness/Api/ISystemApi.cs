using Chaos.Harness.History;

namespace Chaos.Harness.Api;

/// <summary>
/// The system's request surface as the workload uses it (docs/architecture.md, "The api seam"): the senders' writes —
/// each answered <see cref="HistoryEventType.Ok"/> (done), <see cref="HistoryEventType.Fail"/> (definitely not done)
/// or <see cref="HistoryEventType.Info"/> (unknown: it may or may not have taken effect), which the workload records
/// as the operation's outcome — and the reads of the final drain. The workload owns the history and every choice of
/// what to send; an implementation owns only the protocol: paths, bodies, credentials, status codes, which instance.
/// </summary>
/// <remarks>
/// A read that cannot be answered (every instance down, a malformed answer) throws <see cref="SystemReadException"/>;
/// the drain then records nothing for what it read, and the checkers answer unknown rather than guess.
/// </remarks>
public interface ISystemApi
{
    /// <summary>Registers <paramref name="user"/> if needed and returns a token its devices and its own sends present.</summary>
    Task<string> IssueTokenAsync(string user, CancellationToken cancellationToken);

    /// <summary>A chat message, sent as its sender with the sender's token; <paramref name="route"/> spreads calls over the instances.</summary>
    Task<HistoryEventType> SendMessageAsync(ChatMessage message, string senderToken, long route, CancellationToken cancellationToken);

    /// <summary>A notification, sent by the back end (the system's service credential).</summary>
    Task<HistoryEventType> SendNotificationAsync(Notification notification, long route, CancellationToken cancellationToken);

    /// <summary>A background job, submitted by the back end.</summary>
    Task<HistoryEventType> SubmitJobAsync(JobSubmission job, long route, CancellationToken cancellationToken);

    /// <summary>The highest per-user sequence the user's durable inbox holds, read as its owner.</summary>
    Task<long> InboxHeadAsync(string user, string ownerToken, CancellationToken cancellationToken);

    /// <summary>The whole durable inbox as <paramref name="device"/> syncs it from sequence 0, in sequence order.</summary>
    Task<IReadOnlyList<SyncItem>> ReadInboxAsync(string user, string device, string ownerToken, CancellationToken cancellationToken);

    /// <summary>A job as the system reports it; null when the system does not know it.</summary>
    Task<JobReport?> ReadJobAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Every record of the system's dead-letter topic, read from Kafka by the harness (not through the system), keyed by
    /// the job it dead-letters; null when the system has no dead-letter topic. Called after the job states were read, so
    /// a job the system reported dead-lettered before the read began has its record in it (docs/history.md, "dead-letters").
    /// </summary>
    Task<DeadLettersValue?> ReadDeadLettersAsync(CancellationToken cancellationToken);

    /// <summary>An account's balance: the job effects applied to it.</summary>
    Task<decimal> ReadBalanceAsync(string account, CancellationToken cancellationToken);

    /// <summary>True once every consumer holds partitions (the system can carry traffic end to end); polled while settling.</summary>
    Task<bool> ConsumersAssignedAsync(CancellationToken cancellationToken);

    /// <summary>Each consumer group's lag on its topic (uncommitted records), read from Kafka.</summary>
    Task<IReadOnlyList<ConsumerLag>> ConsumerLagAsync(CancellationToken cancellationToken);
}
