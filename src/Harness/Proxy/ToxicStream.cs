namespace Chaos.Harness.Proxy;

/// <summary>Which direction of a proxied connection a toxic acts on (Toxiproxy's <c>stream</c> field).</summary>
public enum ToxicStream
{
    /// <summary>Client to server: the requests.</summary>
    Upstream,

    /// <summary>Server to client: the responses (Toxiproxy's default).</summary>
    Downstream,
}
