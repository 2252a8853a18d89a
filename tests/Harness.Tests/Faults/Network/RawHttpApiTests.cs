using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>The HTTP API on the wire: status codes, JSON shapes and error bodies as Toxiproxy 2.x answers them.</summary>
public sealed class RawHttpApiTests : IAsyncLifetime
{
    private const string Upstream = "127.0.0.1:9";
    private ProxyTestContext _proxy = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _proxy = await ProxyTestContext.StartAsync();
        _http = new HttpClient { BaseAddress = _proxy.Server.ApiAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task Version_AnswersJsonWithTheVersion()
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "version");

        status.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(body)!["version"]!.GetValue<string>().Should().StartWith("2.");
    }

    [Fact]
    public async Task CreateProxy_Answers201WithToxiproxysShape()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "proxies", $$"""{"name":"db","listen":"127.0.0.1:0","upstream":"{{Upstream}}"}""");

        status.Should().Be(HttpStatusCode.Created);
        var json = JsonNode.Parse(body)!.AsObject();
        json.Select(p => p.Key).Should().Equal("name", "listen", "upstream", "enabled", "toxics");
        json["name"]!.GetValue<string>().Should().Be("db");
        json["listen"]!.GetValue<string>().Should().MatchRegex(@"^127\.0\.0\.1:[1-9][0-9]*$", "port 0 is replaced by the bound port");
        json["upstream"]!.GetValue<string>().Should().Be(Upstream);
        json["enabled"]!.GetValue<bool>().Should().BeTrue();
        json["toxics"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task CreateProxy_WithATakenName_Answers409()
    {
        await SendAsync(HttpMethod.Post, "proxies", $$"""{"name":"db","listen":"127.0.0.1:0","upstream":"{{Upstream}}"}""");

        var (status, body) = await SendAsync(HttpMethod.Post, "proxies", $$"""{"name":"db","listen":"127.0.0.1:0","upstream":"{{Upstream}}"}""");

        status.Should().Be(HttpStatusCode.Conflict);
        body.Should().Be("""{"error":"proxy already exists","status":409}""" + "\n");
    }

    [Fact]
    public async Task UnknownProxy_Answers404WithToxiproxysBody()
    {
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "proxies/nope"), (HttpMethod.Delete, "proxies/nope"), (HttpMethod.Post, "proxies/nope"),
            (HttpMethod.Get, "proxies/nope/toxics"), (HttpMethod.Post, "proxies/nope/toxics"),
        })
        {
            var (status, body) = await SendAsync(method, path, method == HttpMethod.Post ? "{}" : null);

            status.Should().Be(HttpStatusCode.NotFound, $"{method} /{path}");
            body.Should().Be("""{"error":"proxy not found","status":404}""" + "\n");
        }
    }

    [Theory]
    [InlineData("""{"listen":"127.0.0.1:0","upstream":"127.0.0.1:9"}""", "missing required field: name")]
    [InlineData("""{"name":"db","listen":"127.0.0.1:0"}""", "missing required field: upstream")]
    [InlineData("""{"name":"db",""", "bad request body: ")]
    [InlineData("""{"name":7,"upstream":"127.0.0.1:9"}""", "bad request body: ")]
    [InlineData("""{"name":"\ud800","upstream":"127.0.0.1:9"}""", "bad request body: a string is not valid text")]
    [InlineData("""{"name":"db","upst\udfffream":"127.0.0.1:9"}""", "bad request body: a string is not valid text")]
    [InlineData("""{"name":"db","upstream":"127.0.0.1:9","upstream":"127.0.0.1:9"}""", "bad request body: ")]
    [InlineData("""{"name":"db","listen":"127.0.0.1:0","upstream":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:9"}""", "does not resolve")]
    [InlineData("""{"name":"db","listen":"127.0.0.1:0","upstream":"192.0.2.1:80"}""", "is not loopback")]
    [InlineData("""{"name":"db","listen":"0.0.0.0:0","upstream":"127.0.0.1:9"}""", "is not loopback")]
    public async Task CreateProxy_WithBadInput_Answers400AndCreatesNothing(string request, string message)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "proxies", request);
        var (_, list) = await SendAsync(HttpMethod.Get, "proxies");

        status.Should().Be(HttpStatusCode.BadRequest);
        var error = JsonNode.Parse(body)!;
        error["status"]!.GetValue<int>().Should().Be(400);
        error["error"]!.GetValue<string>().Should().Contain(message);
        list.Should().Be("{}");
    }

    [Fact]
    public async Task AddToxic_Answers200WithToxiproxysShapeAndDefaults()
    {
        await CreateAsync("db");

        var (status, body) = await SendAsync(HttpMethod.Post, "proxies/db/toxics", """{"type":"latency","attributes":{"latency":100,"jitter":10}}""");

        status.Should().Be(HttpStatusCode.OK, "Toxiproxy answers a new toxic with 200");
        body.Should().Be("""{"attributes":{"latency":100,"jitter":10},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}""");
        var (_, proxy) = await SendAsync(HttpMethod.Get, "proxies/db");
        JsonNode.Parse(proxy)!["toxics"]!.AsArray().Should().ContainSingle();
    }

    [Theory]
    [InlineData("""{"type":"nope"}""", 400, "invalid toxic type")]
    [InlineData("""{"type":"latency","stream":"sideways"}""", 400, "stream was invalid, can be either upstream or downstream")]
    [InlineData("""{"type":"latency","attributes":{"latency":"slow"}}""", 400, "bad request body: ")]
    [InlineData("""{"type":"latency","attributes":{"latency":1.5}}""", 400, "bad request body: ")]
    [InlineData("""{"type":"latency","toxicity":"high"}""", 400, "bad request body: ")]
    [InlineData("""{"type":"latency","toxicity":1e400}""", 400, "bad request body: ")]
    [InlineData("""{"type":"latency","toxicity":1e39}""", 400, "bad request body: ")]
    [InlineData("""not json""", 400, "bad request body: ")]
    public async Task AddToxic_WithBadInput_Answers400AndAddsNothing(string request, int expected, string message)
    {
        await CreateAsync("db");

        var (status, body) = await SendAsync(HttpMethod.Post, "proxies/db/toxics", request);
        var (_, toxics) = await SendAsync(HttpMethod.Get, "proxies/db/toxics");

        ((int)status).Should().Be(expected);
        JsonNode.Parse(body)!["error"]!.GetValue<string>().Should().StartWith(message);
        toxics.Should().Be("[]");
    }

    [Fact]
    public async Task AddToxic_WithATakenName_Answers409EvenInTheOtherStream()
    {
        await CreateAsync("db");
        await SendAsync(HttpMethod.Post, "proxies/db/toxics", """{"name":"t","type":"latency","stream":"upstream"}""");

        var (status, body) = await SendAsync(HttpMethod.Post, "proxies/db/toxics", """{"name":"t","type":"slow_close","stream":"downstream"}""");

        status.Should().Be(HttpStatusCode.Conflict);
        body.Should().Be("""{"error":"toxic already exists","status":409}""" + "\n");
    }

    [Fact]
    public async Task UpdateToxic_ChangesGivenFieldsAndKeepsTheRest_ByPostAndPatch()
    {
        await CreateAsync("db");
        await SendAsync(HttpMethod.Post, "proxies/db/toxics", """{"type":"latency","attributes":{"latency":100,"jitter":10}}""");

        var (status, body) = await SendAsync(HttpMethod.Post, "proxies/db/toxics/latency_downstream", """{"attributes":{"latency":1000},"toxicity":0.5}""");
        var (patchStatus, patched) = await SendAsync(HttpMethod.Patch, "proxies/db/toxics/latency_downstream", """{"attributes":{"jitter":20}}""");

        status.Should().Be(HttpStatusCode.OK);
        body.Should().Be("""{"attributes":{"latency":1000,"jitter":10},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":0.5}""");
        patchStatus.Should().Be(HttpStatusCode.OK);
        patched.Should().Be("""{"attributes":{"latency":1000,"jitter":20},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":0.5}""");
    }

    [Fact]
    public async Task UpdateToxic_WithBadAttributes_Answers400AndKeepsTheOldValues()
    {
        await CreateAsync("db");
        await SendAsync(HttpMethod.Post, "proxies/db/toxics", """{"type":"latency","attributes":{"latency":100}}""");

        var (status, _) = await SendAsync(HttpMethod.Post, "proxies/db/toxics/latency_downstream", """{"attributes":{"latency":"x"},"toxicity":0.1}""");
        var (_, toxic) = await SendAsync(HttpMethod.Get, "proxies/db/toxics/latency_downstream");

        status.Should().Be(HttpStatusCode.BadRequest);
        toxic.Should().Be("""{"attributes":{"latency":100,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}""");
    }

    [Fact]
    public async Task UnknownToxic_Answers404WithToxiproxysBody()
    {
        await CreateAsync("db");

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete })
        {
            var (status, body) = await SendAsync(method, "proxies/db/toxics/nope", method == HttpMethod.Post ? "{}" : null);

            status.Should().Be(HttpStatusCode.NotFound);
            body.Should().Be("""{"error":"toxic not found","status":404}""" + "\n");
        }
    }

    [Fact]
    public async Task DeleteToxic_Answers204ThenTheToxicIsGone()
    {
        await CreateAsync("db");
        await SendAsync(HttpMethod.Post, "proxies/db/toxics", """{"type":"timeout","attributes":{"timeout":0}}""");

        var (status, body) = await SendAsync(HttpMethod.Delete, "proxies/db/toxics/timeout_downstream");
        var (_, toxics) = await SendAsync(HttpMethod.Get, "proxies/db/toxics");

        status.Should().Be(HttpStatusCode.NoContent);
        body.Should().BeEmpty();
        toxics.Should().Be("[]");
    }

    [Fact]
    public async Task Reset_Answers204_RemovesEveryToxicAndEnablesEveryProxy()
    {
        await CreateAsync("a");
        await CreateAsync("b");
        await SendAsync(HttpMethod.Post, "proxies/a/toxics", """{"type":"latency","stream":"upstream"}""");
        await SendAsync(HttpMethod.Post, "proxies/a/toxics", """{"type":"bandwidth"}""");
        await SendAsync(HttpMethod.Post, "proxies/b", """{"enabled":false}""");

        var (status, _) = await SendAsync(HttpMethod.Post, "reset");
        var proxies = JsonNode.Parse((await SendAsync(HttpMethod.Get, "proxies")).Body)!.AsObject();

        status.Should().Be(HttpStatusCode.NoContent);
        proxies.Select(p => p.Key).Should().BeEquivalentTo("a", "b");
        proxies.Should().OnlyContain(p => p.Value!["enabled"]!.GetValue<bool>() && p.Value["toxics"]!.AsArray().Count == 0);
    }

    [Fact]
    public async Task UpdateProxy_DisablesAndEnables_AndDeleteAnswers204Then404()
    {
        await CreateAsync("db");

        var (disabledStatus, disabled) = await SendAsync(HttpMethod.Post, "proxies/db", """{"enabled":false}""");
        var (enabledStatus, enabled) = await SendAsync(HttpMethod.Patch, "proxies/db", """{"enabled":true}""");
        var (deleted, _) = await SendAsync(HttpMethod.Delete, "proxies/db");
        var (again, _) = await SendAsync(HttpMethod.Delete, "proxies/db");

        disabledStatus.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(disabled)!["enabled"]!.GetValue<bool>().Should().BeFalse();
        enabledStatus.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(enabled)!["enabled"]!.GetValue<bool>().Should().BeTrue();
        deleted.Should().Be(HttpStatusCode.NoContent);
        again.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Populate_Answers201WithTheProxies_AndKeepsIdenticalOnes()
    {
        var request = $$"""[{"name":"a","listen":"127.0.0.1:0","upstream":"{{Upstream}}"},{"name":"b","listen":"127.0.0.1:0","upstream":"{{Upstream}}","enabled":false}]""";

        var (status, body) = await SendAsync(HttpMethod.Post, "populate", request);
        var proxies = JsonNode.Parse(body)!["proxies"]!.AsArray();

        status.Should().Be(HttpStatusCode.Created);
        proxies.Select(p => p!["name"]!.GetValue<string>()).Should().Equal("a", "b");
        proxies[1]!["enabled"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task Populate_WithAMissingName_Answers400AndCreatesNothing()
    {
        var request = $$"""[{"name":"a","listen":"127.0.0.1:0","upstream":"{{Upstream}}"},{"listen":"127.0.0.1:0","upstream":"{{Upstream}}"}]""";

        var (status, body) = await SendAsync(HttpMethod.Post, "populate", request);
        var (_, list) = await SendAsync(HttpMethod.Get, "proxies");

        status.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(body)!["error"]!.GetValue<string>().Should().Be("missing required field: name at proxy 2");
        list.Should().Be("{}");
    }

    [Fact]
    public async Task BrowserUserAgent_IsRefusedWith403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "proxies");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0");

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private async Task CreateAsync(string name)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "proxies", $$"""{"name":"{{name}}","listen":"127.0.0.1:0","upstream":"{{Upstream}}"}""");
        status.Should().Be(HttpStatusCode.Created, body);
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
