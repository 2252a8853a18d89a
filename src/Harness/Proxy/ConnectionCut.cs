namespace Chaos.Harness.Proxy;

/// <summary>How to cut one connection (our extension).</summary>
/// <param name="Reset">True: RST to both peers ("connection reset by peer"); false: a plain close (FIN).</param>
/// <param name="AfterBytes">0 cuts now; N &gt; 0 lets N more bytes through <paramref name="Stream"/>, then resets (mid-frame).</param>
/// <param name="Stream">The direction whose bytes <paramref name="AfterBytes"/> counts.</param>
public sealed record ConnectionCut(bool Reset = true, long AfterBytes = 0, ToxicStream Stream = ToxicStream.Downstream)
{
    /// <summary>Reset now.</summary>
    public static ConnectionCut ResetNow { get; } = new();

    /// <summary>Let <paramref name="bytes"/> more bytes reach the client, then reset: a cut in the middle of a frame.</summary>
    public static ConnectionCut ResetAfter(long bytes, ToxicStream stream = ToxicStream.Downstream) => new(true, bytes, stream);
}
