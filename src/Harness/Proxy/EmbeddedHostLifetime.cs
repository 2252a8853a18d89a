using Microsoft.Extensions.Hosting;

namespace Chaos.Harness.Proxy;

/// <summary>A host lifetime that leaves process signals alone: the proxy's API host is embedded in someone else's process.</summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
