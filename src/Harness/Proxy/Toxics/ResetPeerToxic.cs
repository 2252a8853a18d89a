namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// <c>reset_peer</c>: when data (or the close) arrives, it is dropped and after <c>timeout</c> ms both sockets are
/// reset (SO_LINGER 0, so the peers see "connection reset by peer").
/// </summary>
internal sealed class ResetPeerToxic : ToxicBehavior
{
    public static readonly ResetPeerToxic Instance = new();

    private static readonly string[] Names = ["timeout"];

    public override string Type => "reset_peer";

    public override IReadOnlyList<string> AttributeNames => Names;

    public override async ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next)
    {
        await context.DelayUntilClosedAsync(TimeSpan.FromMilliseconds(context["timeout"]));
        await context.ResetConnectionAsync();
    }

    public override async ValueTask OnEndAsync(ToxicContext context, Func<ValueTask> next)
    {
        await context.DelayUntilClosedAsync(TimeSpan.FromMilliseconds(context["timeout"]));
        await context.ResetConnectionAsync();
    }
}
