namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// <c>stall</c> (our extension; Toxiproxy has none): a reader that stopped reading. Nothing passes and nothing is
/// dropped: the chunk in hand is held until the toxic is removed, and the link stops reading its source while the
/// toxic is on (<see cref="ProxyLink"/>), so what the sender writes stays in the proxy's socket receive buffer and TCP
/// shrinks the window it advertises by as much — to zero once the buffer is full. Removing the toxic releases the held
/// chunk and reading goes on, in order. docs/fault-proxy.md, "Toxics".
/// </summary>
internal sealed class StallToxic : ToxicBehavior
{
    public static readonly StallToxic Instance = new();

    public override string Type => "stall";

    public override IReadOnlyList<string> AttributeNames => [];

    public override async ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next)
    {
        await context.WaitUntilRemovedAsync();
        await next(chunk);
    }
}
