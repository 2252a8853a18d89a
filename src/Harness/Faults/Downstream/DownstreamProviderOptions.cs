using System.Net;
using Chaos.Harness.History;

namespace Chaos.Harness.Faults.Downstream;

/// <summary>Settings of a <see cref="DownstreamProvider"/>, validated when it starts.</summary>
public sealed class DownstreamProviderOptions
{
    /// <summary>Where the provider listens; loopback only. Port 0 picks a free port (see <see cref="DownstreamProvider.Address"/>).</summary>
    public IPEndPoint Endpoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Seed of the failure draws (one stream per provider: the same seed and call order fail the same calls).</summary>
    public long Seed { get; init; }

    /// <summary>Where every call received is recorded (<c>f = "call"</c>, process <c>downstream</c>); null records nothing.</summary>
    public HistoryWriter? History { get; init; }

    /// <summary>The clock of the injected latency.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint);
        if (!IPAddress.IsLoopback(Endpoint.Address))
        {
            throw new ArgumentException($"{nameof(Endpoint)} must be a loopback address, not {Endpoint}.", nameof(Endpoint));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
