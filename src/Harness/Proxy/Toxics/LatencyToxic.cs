namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// <c>latency</c>: each chunk leaves <c>latency</c> ± <c>jitter</c> ms after it was read. Delays are measured from
/// the read time, so a stream is shifted rather than throttled; order is kept.
/// </summary>
internal sealed class LatencyToxic : ToxicBehavior
{
    public static readonly LatencyToxic Instance = new();

    private static readonly string[] Names = ["latency", "jitter"];

    public override string Type => "latency";

    public override IReadOnlyList<string> AttributeNames => Names;

    public override async ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next)
    {
        var delayMs = context["latency"];
        var jitter = context["jitter"];
        if (jitter > 0)
        {
            delayMs += context.Random.NextInt64(-jitter, jitter);
        }

        var wait = TimeSpan.FromMilliseconds(delayMs) - context.Time.GetElapsedTime(chunk.Timestamp);

        // Removed or updated while waiting: the chunk goes on at once rather than being dropped.
        await context.DelayAsync(wait);
        await next(chunk with { Timestamp = context.Time.GetTimestamp() });
    }
}
