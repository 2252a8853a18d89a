namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// <c>timeout</c>: a blackhole. Data is dropped; after <c>timeout</c> ms the connection is closed, or never when
/// <c>timeout</c> is 0. The link enforces the deadline and, as Toxiproxy does, closes the connection when the
/// toxic is removed (the dropped bytes leave the protocol on it broken anyway).
/// </summary>
internal sealed class TimeoutToxic : ToxicBehavior
{
    public static readonly TimeoutToxic Instance = new();

    private static readonly string[] Names = ["timeout"];

    public override string Type => "timeout";

    public override IReadOnlyList<string> AttributeNames => Names;

    public override ValueTask OnChunkAsync(ToxicContext context, Chunk chunk, ChunkSink next) => ValueTask.CompletedTask;
}
