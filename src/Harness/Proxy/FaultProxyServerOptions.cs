using System.Net;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Proxy;

/// <summary>Settings of a <see cref="FaultProxyServer"/>, validated when it starts.</summary>
public sealed class FaultProxyServerOptions
{
    /// <summary>Where the HTTP API listens; loopback only. Port 0 picks a free port (see <see cref="FaultProxyServer.ApiAddress"/>).</summary>
    public IPEndPoint ApiEndpoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Allow proxies to listen on non-loopback addresses. Off: such a create gets 400.</summary>
    public bool AllowNonLoopbackListen { get; init; }

    /// <summary>Allow proxies whose upstream is not loopback. Off: such a create gets 400.</summary>
    public bool AllowNonLoopbackUpstream { get; init; }

    /// <summary>Seed of every random choice (toxicity, jitter, slice sizes); per connection, so a seed replays.</summary>
    public int Seed { get; init; }

    /// <summary>How long a new client waits for its upstream connection before it is closed.</summary>
    public TimeSpan UpstreamConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (!IPAddress.IsLoopback(ApiEndpoint.Address))
        {
            throw new ArgumentException($"{nameof(ApiEndpoint)} must be a loopback address, not {ApiEndpoint}.", nameof(ApiEndpoint));
        }

        if (UpstreamConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(UpstreamConnectTimeout)} must be positive.", nameof(UpstreamConnectTimeout));
        }
    }
}
