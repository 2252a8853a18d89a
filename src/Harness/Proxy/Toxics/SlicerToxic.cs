namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// <c>slicer</c>: each chunk leaves as several writes of <c>average_size</c> ± <c>size_variation</c> bytes with
/// <c>delay</c> µs between them (timers resolve to about a millisecond).
/// </summary>
internal sealed class SlicerToxic : ToxicBehavior
{
    public static readonly SlicerToxic Instance = new();

    private static readonly string[] Names = ["average_size", "size_variation", "delay"];

    public override string Type => "slicer";

    public override IReadOnlyList<string> AttributeNames => Names;

    public override async ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next)
    {
        var average = Math.Max(1, context["average_size"]);
        var variation = Math.Max(0, context["size_variation"]);
        var delay = TimeSpan.FromMicroseconds(Math.Max(0, context["delay"]));
        var data = chunk.Data;
        while (!data.IsEmpty)
        {
            var size = variation > 0 ? average + context.Random.NextInt64(-variation, variation + 1) : average;
            var take = (int)Math.Clamp(size, 1, data.Length);
            await next(chunk with { Data = data[..take] });
            data = data[take..];
            if (!data.IsEmpty && delay > TimeSpan.Zero && !await context.DelayAsync(delay))
            {
                await next(chunk with { Data = data });
                return;
            }
        }
    }
}
