namespace Chaos.Harness.History;

/// <summary>The <c>f</c> values the harness knows (docs/history.md). Any other <c>f</c> is kept and ignored by checkers.</summary>
public static class HistoryOps
{
    /// <summary>A sender sends a chat message or notification: invoke, then ok / fail / info.</summary>
    public const string Send = "send";

    /// <summary>The app layer of one device received a message (a single ok event).</summary>
    public const string Deliver = "deliver";

    /// <summary>The client library dropped a transport redelivery it had already delivered (a single ok event).</summary>
    public const string Drop = "drop";

    /// <summary>Final drain: a device's durable inbox as the server returns it.</summary>
    public const string Sync = "sync";

    /// <summary>A virtual device exists (so a device that received nothing is still checked).</summary>
    public const string Device = "device";

    /// <summary>A device's connection: invoke when its client began an attempt (observed by the harness: its token
    /// provider was asked), ok / fail when the client reports it connected / not connected and retrying.</summary>
    public const string Connect = "connect";

    /// <summary>A job is submitted.</summary>
    public const string Submit = "submit";

    /// <summary>A job's observed state (done, dead-lettered, retrying, ...).</summary>
    public const string JobState = "job-state";

    /// <summary>Final drain: the records of the system's dead-letter topic, read from Kafka by the harness.</summary>
    public const string DeadLetters = "dead-letters";

    /// <summary>One processing attempt of a job (for retry-storm).</summary>
    public const string Attempt = "attempt";

    /// <summary>One call the harness's downstream provider received from the system (observed by the harness itself).</summary>
    public const string Call = "call";

    /// <summary>The process name of the harness's downstream provider (the jobs' payment provider).</summary>
    public const string DownstreamProcess = "downstream";

    /// <summary>An account balance read.</summary>
    public const string Balance = "balance";

    /// <summary>The nemesis applied a fault.</summary>
    public const string Fault = "fault";

    /// <summary>The nemesis healed a fault.</summary>
    public const string Heal = "heal";

    /// <summary>The run entered a phase (steady, fault, recovery, drain, ...).</summary>
    public const string Phase = "phase";

    /// <summary>The final drain started (invoke) and finished (ok) or did not (fail / info).</summary>
    public const string Drain = "drain";

    /// <summary>The broker truncated a log: loss can no longer be decided.</summary>
    public const string Truncated = "truncated";

    /// <summary>
    /// The harness could not start its operations on time (schedule lag past <c>OverloadLagMs</c>): latency it measured
    /// is partly its own, so an SLO breach in this run is undecided, not a verdict on the system (docs/load.md).
    /// </summary>
    public const string Overloaded = "overloaded";

    /// <summary>
    /// A node of the system was found down once the faults were healed and the drain done (<c>target</c> the node,
    /// <c>detail</c> how it ended): the availability checker's <c>node-down</c> (docs/checkers.md).
    /// </summary>
    public const string NodeDown = "node-down";

    /// <summary>The process name of fault injection events.</summary>
    public const string NemesisProcess = "nemesis";

    /// <summary>Returns the interned constant for a known op, or null.</summary>
    internal static string? Intern(ReadOnlySpan<byte> utf8) => utf8 switch
    {
        _ when utf8.SequenceEqual("send"u8) => Send,
        _ when utf8.SequenceEqual("deliver"u8) => Deliver,
        _ when utf8.SequenceEqual("drop"u8) => Drop,
        _ when utf8.SequenceEqual("sync"u8) => Sync,
        _ when utf8.SequenceEqual("device"u8) => Device,
        _ when utf8.SequenceEqual("connect"u8) => Connect,
        _ when utf8.SequenceEqual("submit"u8) => Submit,
        _ when utf8.SequenceEqual("job-state"u8) => JobState,
        _ when utf8.SequenceEqual("dead-letters"u8) => DeadLetters,
        _ when utf8.SequenceEqual("attempt"u8) => Attempt,
        _ when utf8.SequenceEqual("call"u8) => Call,
        _ when utf8.SequenceEqual("balance"u8) => Balance,
        _ when utf8.SequenceEqual("fault"u8) => Fault,
        _ when utf8.SequenceEqual("heal"u8) => Heal,
        _ when utf8.SequenceEqual("phase"u8) => Phase,
        _ when utf8.SequenceEqual("drain"u8) => Drain,
        _ when utf8.SequenceEqual("truncated"u8) => Truncated,
        _ when utf8.SequenceEqual("overloaded"u8) => Overloaded,
        _ when utf8.SequenceEqual("node-down"u8) => NodeDown,
        _ => null,
    };
}
