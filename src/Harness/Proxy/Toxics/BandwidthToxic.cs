namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// <c>bandwidth</c>: at most <c>rate</c> KB/s (1 KB = 1000 bytes, as Toxiproxy counts). Data leaves in pieces of at
/// most 100 ms worth of bytes, each after the time its size costs at the rate; a timer that fires late is made up
/// for on the next piece, but idle time earns no burst.
/// </summary>
internal sealed class BandwidthToxic : ToxicBehavior
{
    public static readonly BandwidthToxic Instance = new();

    private static readonly string[] Names = ["rate"];

    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromMilliseconds(100);

    public override string Type => "bandwidth";

    public override IReadOnlyList<string> AttributeNames => Names;

    public override object? NewState() => new Pacing();

    public override async ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next)
    {
        var rate = context["rate"];
        if (rate <= 0)
        {
            await next(chunk);
            return;
        }

        var pacing = (Pacing)context.State!;
        var time = context.Time;
        var maxPiece = (int)Math.Clamp(rate * 100, 1, int.MaxValue);
        var data = chunk.Data;
        while (!data.IsEmpty)
        {
            var piece = data[..Math.Min(data.Length, maxPiece)];
            var cost = TimeSpan.FromTicks(piece.Length * TimeSpan.TicksPerMillisecond / rate);
            var now = time.GetTimestamp();
            var start = pacing.Due is { } due && time.GetElapsedTime(due, now) <= MaxCatchUp ? due : now;
            pacing.Due = start + (long)(cost.TotalSeconds * time.TimestampFrequency);
            if (!await context.DelayAsync(time.GetElapsedTime(now, pacing.Due.Value)))
            {
                await next(chunk with { Data = data });
                return;
            }

            await next(chunk with { Data = piece });
            data = data[piece.Length..];
        }
    }

    private sealed class Pacing
    {
        /// <summary>When the last piece was due to leave (TimeProvider timestamp).</summary>
        public long? Due { get; set; }
    }
}
