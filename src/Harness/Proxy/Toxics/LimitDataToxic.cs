namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// <c>limit_data</c>: forwards at most <c>bytes</c> bytes in its direction (counted from when it was added to the
/// connection), then closes the connection.
/// </summary>
internal sealed class LimitDataToxic : ToxicBehavior
{
    public static readonly LimitDataToxic Instance = new();

    private static readonly string[] Names = ["bytes"];

    public override string Type => "limit_data";

    public override IReadOnlyList<string> AttributeNames => Names;

    public override object? NewState() => new Counter();

    public override async ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next)
    {
        var limit = context["bytes"];
        var counter = (Counter)context.State!;
        var remaining = Math.Max(0, limit - counter.Transmitted);
        var piece = chunk.Data[..(int)Math.Min(chunk.Data.Length, remaining)];
        if (!piece.IsEmpty)
        {
            await next(chunk with { Data = piece });
            counter.Transmitted += piece.Length;
        }

        if (counter.Transmitted >= limit)
        {
            await context.CloseConnectionAsync();
        }
    }

    private sealed class Counter
    {
        public long Transmitted { get; set; }
    }
}
