namespace Chaos.Reference.Messaging;

/// <summary>
/// The wait after a failed produce or a refused store write before the next try: 100 ms, doubling to 2 s, back to none
/// after a success. A refusal librdkafka does not retry (TOPIC_AUTHORIZATION_FAILED: an ACL removed) fails the next
/// produce at once, so without it the outbox relay re-produced the same rows about 70 times a second
/// (docs/reference-system.md, "Produce and storage failures").
/// </summary>
internal sealed class FailureBackoff
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    private TimeSpan _next = First;

    /// <summary>The wait before the next try after a failure; each failure doubles the next one, up to 2 s.</summary>
    public TimeSpan Next()
    {
        var wait = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, Max.Ticks));
        return wait;
    }

    /// <summary>A produce succeeded: the next failure waits 100 ms again.</summary>
    public void Reset() => _next = First;
}
