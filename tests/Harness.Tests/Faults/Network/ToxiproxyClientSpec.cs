using Chaos.Harness.Proxy;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>
/// Our Toxiproxy client against a Toxiproxy-compatible server: typed results, and typed errors from the status
/// codes. The same spec runs against our server and, when <c>TOXIPROXY_URL</c> names one, a real Toxiproxy.
/// </summary>
public abstract class ToxiproxyClientSpec : IAsyncLifetime
{
    private const string Upstream = "127.0.0.1:9";
    private ToxiproxyClient? _client;

    protected ToxiproxyClient Client => _client ?? throw new InvalidOperationException("no server");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = await ConnectAsync();
        if (_client is not null)
        {
            await RemoveTestProxiesAsync(_client);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await RemoveTestProxiesAsync(_client);
            _client.Dispose();
        }

        await DisconnectAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A client for the server under test, or null when that server is not available.</summary>
    protected abstract Task<ToxiproxyClient?> ConnectAsync();

    protected abstract ValueTask DisconnectAsync();

    [Fact]
    public async Task GetVersion_ReturnsAVersion()
    {
        SkipWithoutServer();

        (await Client.GetVersionAsync(Ct)).Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task ProxyLifecycle_CreateListGetUpdateDelete()
    {
        SkipWithoutServer();
        var created = await Client.CreateProxyAsync("db", "127.0.0.1:0", Upstream, true, Ct);
        var listed = await Client.GetProxiesAsync(Ct);
        var fetched = await Client.GetProxyAsync("db", Ct);
        var disabled = await Client.SetEnabledAsync("db", false, Ct);
        var moved = await Client.UpdateProxyAsync("db", null, "127.0.0.1:10", true, Ct);
        await Client.DeleteProxyAsync("db", Ct);
        var afterDelete = await Client.GetProxiesAsync(Ct);

        created.Should().BeEquivalentTo(new { Name = "db", Upstream, Enabled = true, Toxics = Array.Empty<ToxicInfo>() });
        created.Listen.Should().NotEndWith(":0");
        listed.Should().ContainKey("db");
        fetched.Should().BeEquivalentTo(created);
        disabled.Enabled.Should().BeFalse();
        moved.Should().BeEquivalentTo(new { Upstream = "127.0.0.1:10", Enabled = true, created.Listen });
        afterDelete.Should().NotContainKey("db");
    }

    [Fact]
    public async Task Errors_AreTypedByStatus_AndCarryToxiproxysMessage()
    {
        SkipWithoutServer();
        await Client.CreateProxyAsync("db", "127.0.0.1:0", Upstream, true, Ct);

        var conflict = async () => await Client.CreateProxyAsync("db", "127.0.0.1:0", Upstream, true, Ct);
        var missing = async () => await Client.GetProxyAsync("nope", Ct);
        var badRequest = async () => await Client.CreateProxyAsync("", "127.0.0.1:0", Upstream, true, Ct);
        var missingToxic = async () => await Client.RemoveToxicAsync("db", "nope", Ct);

        (await conflict.Should().ThrowAsync<ToxiproxyConflictException>()).Which.ApiMessage.Should().Be("proxy already exists");
        (await missing.Should().ThrowAsync<ToxiproxyNotFoundException>()).Which.ApiMessage.Should().Be("proxy not found");
        (await badRequest.Should().ThrowAsync<ToxiproxyBadRequestException>()).Which.ApiMessage.Should().Be("missing required field: name");
        (await missingToxic.Should().ThrowAsync<ToxiproxyNotFoundException>()).Which.StatusCode.Should().Be(404);
    }

    [Fact]
    public async Task Toxics_AddGetUpdateRemove()
    {
        SkipWithoutServer();
        await Client.CreateProxyAsync("db", "127.0.0.1:0", Upstream, true, Ct);

        var added = await Client.AddToxicAsync("db", Toxic.Latency(100, 10, ToxicStream.Upstream) with { Toxicity = 0.25f }, Ct);
        var fetched = await Client.GetToxicAsync("db", "latency_upstream", Ct);
        var updated = await Client.UpdateToxicAsync("db", "latency_upstream", new Dictionary<string, long> { ["latency"] = 500 }, null, Ct);
        var all = await Client.GetToxicsAsync("db", Ct);
        await Client.RemoveToxicAsync("db", "latency_upstream", Ct);
        var afterRemove = await Client.GetToxicsAsync("db", Ct);

        added.Should().BeEquivalentTo(new ToxicInfo("latency_upstream", "latency", ToxicStream.Upstream, 0.25f,
            new Dictionary<string, long> { ["latency"] = 100, ["jitter"] = 10 }));
        fetched.Should().BeEquivalentTo(added);
        updated.Attributes.Should().Equal(new Dictionary<string, long> { ["latency"] = 500, ["jitter"] = 10 });
        updated.Toxicity.Should().Be(0.25f, "an update without toxicity keeps it");
        all.Should().ContainSingle().Which.Should().BeEquivalentTo(updated);
        afterRemove.Should().BeEmpty();
    }

    [Fact]
    public async Task EveryToxicType_IsAcceptedWithItsAttributes()
    {
        SkipWithoutServer();
        await Client.CreateProxyAsync("db", "127.0.0.1:0", Upstream, true, Ct);
        ToxicSpec[] specs =
        [
            Toxic.Latency(1, 2), Toxic.Bandwidth(3), Toxic.SlowClose(4), Toxic.Timeout(5), Toxic.ResetPeer(6),
            Toxic.Slicer(7, 8, 9), Toxic.LimitData(10),
        ];

        foreach (var spec in specs)
        {
            var toxic = await Client.AddToxicAsync("db", spec with { Name = spec.Type }, Ct);
            toxic.Attributes.Should().Equal(spec.Attributes, $"{spec.Type} keeps its attributes");
        }

        (await Client.GetToxicsAsync("db", Ct)).Select(t => t.Type).Should().BeEquivalentTo(specs.Select(s => s.Type));
    }

    [Fact]
    public async Task Reset_RemovesToxicsAndEnablesProxies()
    {
        SkipWithoutServer();
        await Client.CreateProxyAsync("db", "127.0.0.1:0", Upstream, false, Ct);
        await Client.AddToxicAsync("db", Toxic.Timeout(0), Ct);

        await Client.ResetAsync(Ct);
        var proxy = await Client.GetProxyAsync("db", Ct);

        proxy.Enabled.Should().BeTrue();
        proxy.Toxics.Should().BeEmpty();
    }

    [Fact]
    public async Task Populate_CreatesAndReplaces()
    {
        SkipWithoutServer();
        var first = await Client.PopulateAsync([new ProxyInfo("a", "127.0.0.1:0", Upstream, true, [])], Ct);
        await Client.AddToxicAsync("a", Toxic.Latency(1), Ct);

        var same = await Client.PopulateAsync([new ProxyInfo("a", first[0].Listen, Upstream, true, [])], Ct);
        var replaced = await Client.PopulateAsync([new ProxyInfo("a", "127.0.0.1:0", "127.0.0.1:10", true, [])], Ct);

        same.Should().ContainSingle().Which.Toxics.Should().ContainSingle("an identical proxy is kept as is");
        replaced.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Upstream = "127.0.0.1:10", Toxics = Array.Empty<ToxicInfo>() });
    }

    private static async Task RemoveTestProxiesAsync(ToxiproxyClient client)
    {
        // Only the names these tests use: a real Toxiproxy may serve others too.
        foreach (var name in (await client.GetProxiesAsync(Ct)).Keys.Where(n => n is "db" or "a"))
        {
            await client.DeleteProxyAsync(name, Ct);
        }
    }

    private void SkipWithoutServer()
    {
        if (_client is null)
        {
            Assert.Skip("Set TOXIPROXY_URL (e.g. http://127.0.0.1:8474/) to run this spec against a real Toxiproxy.");
        }
    }
}
