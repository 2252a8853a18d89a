namespace Chaos.Harness.Proxy;

/// <summary>One proxied connection (our extension; a real Toxiproxy has no such route).</summary>
/// <param name="Id">Its id within the proxy, for the per-connection routes.</param>
/// <param name="Client">The client's address as the proxy sees it: the client socket's local endpoint.</param>
/// <param name="Upstream">The proxy's local endpoint towards the upstream: what the server sees as its peer.</param>
/// <param name="BytesUpstream">Bytes forwarded client to server.</param>
/// <param name="BytesDownstream">Bytes forwarded server to client.</param>
/// <param name="Toxics">Toxics on this connection only.</param>
/// <param name="Held">Bytes per direction the proxy read and has not yet written on (held by a toxic or queued).</param>
/// <param name="Unread">Bytes per direction waiting in the proxy's socket receive buffer, not read yet: the TCP window the
/// proxy advertises to that direction's sender is smaller by as much (a <c>stall</c> toxic closes it).</param>
public sealed record ConnectionInfo(
    long Id,
    string Client,
    string Upstream,
    long BytesUpstream,
    long BytesDownstream,
    IReadOnlyList<ToxicInfo> Toxics,
    DirectionBytes Held = default,
    DirectionBytes Unread = default);

/// <summary>A byte count per direction of a proxied connection.</summary>
public readonly record struct DirectionBytes(long Upstream, long Downstream);
