namespace Chaos.Harness.Proxy;

/// <summary>Typed constructors for Toxiproxy's toxics; units as Toxiproxy documents them.</summary>
public static class Toxic
{
    /// <summary>Delays data by <paramref name="latencyMs"/> ± <paramref name="jitterMs"/> milliseconds.</summary>
    public static ToxicSpec Latency(long latencyMs, long jitterMs = 0, ToxicStream stream = ToxicStream.Downstream) =>
        new("latency", new Dictionary<string, long> { ["latency"] = latencyMs, ["jitter"] = jitterMs }) { Stream = stream };

    /// <summary>Limits throughput to <paramref name="rateKBps"/> KB/s (1 KB = 1000 bytes).</summary>
    public static ToxicSpec Bandwidth(long rateKBps, ToxicStream stream = ToxicStream.Downstream) =>
        new("bandwidth", new Dictionary<string, long> { ["rate"] = rateKBps }) { Stream = stream };

    /// <summary>Delays the close by <paramref name="delayMs"/> milliseconds.</summary>
    public static ToxicSpec SlowClose(long delayMs, ToxicStream stream = ToxicStream.Downstream) =>
        new("slow_close", new Dictionary<string, long> { ["delay"] = delayMs }) { Stream = stream };

    /// <summary>Blackholes data; closes after <paramref name="timeoutMs"/> ms, or never when 0 (until removed).</summary>
    public static ToxicSpec Timeout(long timeoutMs, ToxicStream stream = ToxicStream.Downstream) =>
        new("timeout", new Dictionary<string, long> { ["timeout"] = timeoutMs }) { Stream = stream };

    /// <summary>On data, waits <paramref name="timeoutMs"/> ms then resets the connection (TCP RST).</summary>
    public static ToxicSpec ResetPeer(long timeoutMs = 0, ToxicStream stream = ToxicStream.Downstream) =>
        new("reset_peer", new Dictionary<string, long> { ["timeout"] = timeoutMs }) { Stream = stream };

    /// <summary>Splits data into writes of <paramref name="averageSize"/> ± <paramref name="sizeVariation"/> bytes, <paramref name="delayMicroseconds"/> apart.</summary>
    public static ToxicSpec Slicer(long averageSize, long sizeVariation = 0, long delayMicroseconds = 0, ToxicStream stream = ToxicStream.Downstream) =>
        new("slicer", new Dictionary<string, long>
        {
            ["average_size"] = averageSize,
            ["size_variation"] = sizeVariation,
            ["delay"] = delayMicroseconds,
        })
        { Stream = stream };

    /// <summary>Closes the connection once <paramref name="bytes"/> bytes went through.</summary>
    public static ToxicSpec LimitData(long bytes, ToxicStream stream = ToxicStream.Downstream) =>
        new("limit_data", new Dictionary<string, long> { ["bytes"] = bytes }) { Stream = stream };

    /// <summary>Our extension: the proxy stops reading <paramref name="stream"/> (nothing passes, nothing is dropped:
    /// the sender's bytes wait in the proxy's socket buffer, the TCP window closes) until the toxic is removed.</summary>
    public static ToxicSpec Stall(ToxicStream stream = ToxicStream.Downstream) =>
        new("stall", new Dictionary<string, long>()) { Stream = stream };
}
