using Chaos.Harness.Proxy;

namespace Chaos.Harness.Faults.Network;

/// <summary>
/// Cuts the proxy's open connections that <c>select</c> picks (all by default), now or mid-frame after N bytes
/// (our extension). A cut cannot be undone: heal does nothing, the clients are expected to reconnect.
/// </summary>
public sealed class ConnectionCutFault : IFault
{
    private readonly ToxiproxyClient _client;
    private readonly ConnectionCut _cut;
    private readonly Func<IReadOnlyList<ConnectionInfo>, IEnumerable<ConnectionInfo>> _select;

    public ConnectionCutFault(
        ToxiproxyClient client,
        string proxy,
        ConnectionCut cut,
        Func<IReadOnlyList<ConnectionInfo>, IEnumerable<ConnectionInfo>>? select = null)
    {
        _client = client;
        _cut = cut;
        _select = select ?? (all => all);
        Target = proxy;
    }

    public string Name => _cut.AfterBytes > 0 ? "reset-mid-frame" : _cut.Reset ? "reset" : "close";

    public string Target { get; }

    /// <summary>The ids of the connections the last apply cut (or armed a cut on).</summary>
    public IReadOnlyList<long> CutConnections { get; private set; } = [];

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var chosen = _select(await _client.GetConnectionsAsync(Target, cancellationToken)).Select(c => c.Id).ToList();
        var cut = new List<long>(chosen.Count);
        foreach (var id in chosen)
        {
            try
            {
                await _client.CutConnectionAsync(Target, id, _cut, cancellationToken);
                cut.Add(id);
            }
            catch (ToxiproxyNotFoundException)
            {
                // It closed by itself between listing and cutting.
            }
        }

        CutConnections = cut;
    }

    public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
