using Chaos.Harness.Proxy;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>
/// The client spec against a real Toxiproxy named by <c>TOXIPROXY_URL</c> (use a dedicated one: the spec resets it and
/// deletes its proxies "db" and "a"); skipped when the variable is not set.
/// </summary>
public sealed class RealToxiproxyClientTests : ToxiproxyClientSpec
{
    protected override Task<ToxiproxyClient?> ConnectAsync() =>
        Task.FromResult(Environment.GetEnvironmentVariable("TOXIPROXY_URL") is { Length: > 0 } url
            ? new ToxiproxyClient(new Uri(url))
            : null);

    protected override ValueTask DisconnectAsync() => ValueTask.CompletedTask;
}
