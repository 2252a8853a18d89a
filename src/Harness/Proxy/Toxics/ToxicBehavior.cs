namespace Chaos.Harness.Proxy.Toxics;

/// <summary>Forwards a chunk to the rest of the toxic chain (and, at its end, to the destination socket).</summary>
internal delegate ValueTask ChunkSink(Chunk chunk);

/// <summary>
/// What one toxic type does to the data of one direction of a connection. Behaviours are stateless singletons;
/// per-connection state lives in <see cref="ToxicContext"/>. The chain is middleware: a behaviour passes each
/// chunk on (possibly delayed, split, truncated) by calling <c>next</c>, or drops it by not calling it.
/// </summary>
internal abstract class ToxicBehavior
{
    /// <summary>Toxiproxy's type name, e.g. <c>latency</c>.</summary>
    public abstract string Type { get; }

    /// <summary>The integer attributes this toxic takes, in the order Toxiproxy serialises them.</summary>
    public abstract IReadOnlyList<string> AttributeNames { get; }

    /// <summary>Creates per-connection state that survives updates of the toxic (Toxiproxy's stateful toxics).</summary>
    public virtual object? NewState() => null;

    public virtual ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next) => next(chunk);

    /// <summary>The source side closed (EOF); <paramref name="next"/> propagates the close.</summary>
    public virtual ValueTask OnEndAsync(ToxicContext context, Func<ValueTask> next) => next();
}
