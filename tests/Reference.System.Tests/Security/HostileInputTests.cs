using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests.Security;

/// <summary>
/// Hostile input at every endpoint that reads a body, a path or a query, sent with the right credential so it gets
/// past the policy: each is a 4xx with <c>{"error": ...}</c>, no process logs an error or a stack trace, none dies,
/// and a good message sent afterwards is the only thing the recipient's inbox holds (nothing lost, nothing extra).
/// </summary>
[Collection(SecuredSystem.Name)]
public sealed class HostileInputTests(SecuredSystem system)
{
    private const string Sender = "hostile-a";
    private const string Recipient = "hostile-b";

    /// <summary>A valid body of every endpoint that reads one (the mutations start from it); a new one needs a row.</summary>
    private static readonly Dictionary<string, string> Samples = new(StringComparer.Ordinal)
    {
        ["/users"] = """{"user":"hostile-new"}""",
        ["/token"] = $$"""{"user":"{{Sender}}","ttlSeconds":60}""",
        ["/messages"] = $$"""{"idempotencyKey":"h-1","id":"h-id-1","from":"{{Sender}}","conversation":"c","to":["{{Recipient}}"],"body":"hello"}""",
        ["/notifications"] = $$"""{"idempotencyKey":"h-2","id":"h-id-2","to":"{{Recipient}}","body":"hello"}""",
        ["/jobs"] = """{"idempotencyKey":"h-3","account":"h-acc","amount":5,"transactionId":"h-tx"}""",
        ["/admin/failpoints"] = """{"spec":"api.before-persist=delay:1@1000000"}""",
        ["/admin/downstream"] = """{"failureRate":0.5,"latencyMs":1}""",
    };

    /// <summary>Values no field of any endpoint accepts, whatever its type (string, integer, number, array of names).</summary>
    private static readonly (string Name, byte[] Json)[] HostileValues =
    [
        ("a lone surrogate escape", Probe.Json("\"\\ud800\"")),
        ("invalid UTF-8", [(byte)'"', 0xFF, 0xFE, (byte)'"']),
        ("a NUL character", Probe.Json("\"a\\u0000b\"")),
        ("10,000 characters", Probe.Json("\"" + new string('x', 10_000) + "\"")),
        ("1.5", Probe.Json("1.5")),
        ("1e400", Probe.Json("1e400")),
        ("2^63", Probe.Json("9223372036854775808")),
        ("true", Probe.Json("true")),
        ("an empty array", Probe.Json("[]")),
        ("an object", Probe.Json("{}")),
        ("an array of a number", Probe.Json("[5]")),
        ("an array of a lone surrogate", Probe.Json("[\"\\ud800\"]")),
    ];

    [Fact]
    public async Task Every_body_an_endpoint_reads_is_refused_with_a_4xx_and_a_json_error_when_hostile()
    {
        var ct = TestContext.Current.CancellationToken;
        await RegisterAsync();
        var problems = new List<string>();
        var cases = 0;
        foreach (var route in await BodyRoutesAsync())
        {
            Samples.Should().ContainKey(route.Route, $"{route} reads a body: give it a sample here so the hostile corpus covers it");
            foreach (var (name, body, contentType) in Mutations(Samples[route.Route]))
            {
                var (status, text) = await SendAsync(route, HttpMethod.Post, Probe.Path(route, Sender), body, contentType, ct);
                cases++;
                if (status is < 400 or >= 500 or 401 or 403 || !Probe.IsJsonError(text))
                {
                    problems.Add($"{route} with {name}: {status} {Probe.Shorten(text)}");
                }
            }

            // many distinct keys (the duplicate-key check must stay linear): answered, whatever the answer
            var keys = "{" + string.Join(',', Enumerable.Range(0, 6000).Select(i => $"\"k{i}\":0")) + "}";
            var (many, manyText) = await SendAsync(route, HttpMethod.Post, Probe.Path(route, Sender), Probe.Json(keys), "application/json", ct);
            if (many >= 500 || !Probe.IsJson(manyText))
            {
                problems.Add($"{route} with 6,000 keys: {many} {Probe.Shorten(manyText)}");
            }
        }

        string.Join('\n', problems).Should().BeEmpty($"every one of {cases} hostile bodies is the client's fault");
        cases.Should().BeGreaterThan(150);
        await NothingLostAsync(ct);
    }

    [Fact]
    public async Task Every_path_and_query_an_endpoint_reads_is_answered_below_500_with_json_when_hostile()
    {
        var ct = TestContext.Current.CancellationToken;
        string[] values = ["%ED%A0%80", "%FF%FE", "%00", "a%0Ab", new string('x', 300), "..%2F..%2Fetc%2Fpasswd", "%25", "%7B%7D"];
        string[] queries = ["after=abc", "after=1e30", "after=99999999999999999999", "after=-1", "limit=abc", "limit=-5", "limit=99999999999",
            "device=%00", "device=a%0Ab", "device=%ED%A0%80", "device=" + new string('d', 200), "after=1&after=2"];
        var problems = new List<string>();
        foreach (var route in (await RouteTable.ReadAsync()).Where(r => r.Method is "GET" or "DELETE" && AccessTable.Of(r) != Access.Open))
        {
            var paths = route.Route.Contains('{', StringComparison.Ordinal)
                ? values.Select(v => System.Text.RegularExpressions.Regex.Replace(route.Route, @"\{\w+\}", v))
                : [route.Route];
            foreach (var path in paths.Concat(queries.Select(q => $"{Probe.Path(route, Sender)}?{q}")))
            {
                var (status, text) = await SendAsync(route, new HttpMethod(route.Method), path, null, null, ct);
                // Kestrel refuses a NUL in the path before any routing, with a bare 400: the one answer without a JSON body
                if (status >= 500 || !(Probe.IsJson(text) || (status == 400 && text.Length == 0 && path.Contains("%00", StringComparison.Ordinal))))
                {
                    problems.Add($"{route} at {path}: {status} {Probe.Shorten(text)}");
                }
            }
        }

        string.Join('\n', problems).Should().BeEmpty();

        // the ones the inbox must refuse, exactly
        foreach (var query in new[] { "after=abc", "after=99999999999999999999", "limit=abc", "device=%00", "device=a%0Ab", "device=%ED%A0%80", "device=" + new string('d', 200) })
        {
            var inbox = (await RouteTable.ReadAsync("api")).Single(r => r.Route == "/users/{id}/inbox");
            (await SendAsync(inbox, HttpMethod.Get, $"/users/{Sender}/inbox?{query}", null, null, ct)).Status.Should().Be(400, query);
        }

        system.ProblemLines().Should().BeEmpty();
        system.Exited().Should().BeEmpty();
    }

    [Fact]
    public async Task A_body_shorter_than_its_content_length_logs_no_unhandled_exception()
    {
        var ct = TestContext.Current.CancellationToken;
        await RegisterAsync();
        var answers = new List<string>();
        foreach (var route in await BodyRoutesAsync())
        {
            var process = system.Roles[route.Role];
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(process.Url.Host, process.Url.Port, ct);
            var head = $"POST {route.Route} HTTP/1.1\r\nHost: {process.Url.Authority}\r\nContent-Type: application/json\r\n" +
                $"Authorization: {await CredentialAsync(route)}\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"user\":";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), ct);
            socket.Shutdown(SocketShutdown.Send);
            answers.Add(await ReadToEndAsync(socket, ct));
        }

        answers.Should().OnlyContain(a => a.Length == 0 || a.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), "the request is the client's fault, if anyone still listens");
        system.ProblemLines().Should().BeEmpty("a client that sends less than it announced is not a server error");
        await NothingLostAsync(ct);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("2147483648")]
    [InlineData("0")]
    [InlineData("86401")]
    [InlineData("\"60\"")]
    public async Task A_token_with_ttlSeconds_out_of_range_or_not_an_integer_is_a_400_not_a_500(string ttl)
    {
        var ct = TestContext.Current.CancellationToken;
        var (status, text) = await Probe.SendAsync(system.Run.Http, system.Api.Url, HttpMethod.Post, "/token", system.Run.Admin(),
            Probe.Json($$"""{"user":"{{Sender}}","ttlSeconds":{{ttl}}}"""), "application/json", ct);
        (status, text).Should().Be((400, """{"error":"field 'ttlSeconds' must be an integer within 1..86400"}"""));
        system.ProblemLines().Should().BeEmpty();
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udfff x\"")]
    [InlineData("\"\\ud800\\ud800\"")]
    public async Task A_lone_surrogate_in_a_user_name_is_a_400_not_a_500(string user)
    {
        var ct = TestContext.Current.CancellationToken;
        var (status, text) = await Probe.SendAsync(system.Run.Http, system.Api.Url, HttpMethod.Post, "/token", system.Run.Admin(),
            Probe.Json($$"""{"user":{{user}}}"""), "application/json", ct);
        (status, text).Should().Be((400, """{"error":"field 'user' is not valid Unicode (a lone surrogate or invalid UTF-8)"}"""));
        system.ProblemLines().Should().BeEmpty();
    }

    [Fact]
    public async Task Invalid_utf8_in_a_message_body_is_a_400_not_a_500()
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] body = [.. Probe.Json($$"""{"idempotencyKey":"utf8","to":["{{Recipient}}"],"body":"""), (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];
        var (status, text) = await Probe.SendAsync(system.Run.Http, system.Api.Url, HttpMethod.Post, "/messages",
            SystemRun.Bearer(await system.Run.UserTokenAsync(system.Api, Sender)), body, "application/json", ct);
        (status, text).Should().Be((400, """{"error":"field 'body' is not valid Unicode (a lone surrogate or invalid UTF-8)"}"""));
        system.ProblemLines().Should().BeEmpty();
    }

    /// <summary>The sample, each field replaced by each hostile value, and the whole body broken in every other way.</summary>
    private static IEnumerable<(string Name, byte[] Body, string? ContentType)> Mutations(string sample)
    {
        const string Json = "application/json";
        var fields = JsonNode.Parse(sample)!.AsObject().Select(p => (p.Key, Value: p.Value!.ToJsonString())).ToList();
        foreach (var (field, _) in fields)
        {
            foreach (var (name, value) in HostileValues)
            {
                var parts = fields.Select(f => f.Key == field ? [.. Probe.Json($"\"{f.Key}\":"), .. value] : Probe.Json($"\"{f.Key}\":{f.Value}"));
                yield return ($"'{field}' = {name}", [(byte)'{', .. Join(parts), (byte)'}'], Json);
            }
        }

        yield return ("an empty body", [], Json);
        foreach (var text in new[] { "null", "[]", "\"text\"", "5", "{", "{\"a\":}", "{\"a\" 1}" })
        {
            yield return ($"the body {text}", Probe.Json(text), Json);
        }

        yield return ("a duplicate key", Probe.Json(sample[..^1] + "," + sample[1..]), Json);
        yield return ("nesting 100 deep", Probe.Json(sample[..^1] + ",\"pad\":" + string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100) + "}"), Json);
        yield return ("70 KB", Probe.Json(sample[..^1] + ",\"pad\":\"" + new string('p', 70_000) + "\"}"), Json);
        yield return ("UTF-16", Encoding.Unicode.GetBytes(sample), Json);
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "application/xml", "application/json; charset=utf-16", "multipart/form-data; boundary=x", "nonsense" })
        {
            yield return ($"Content-Type {type}", Probe.Json(sample), type);
        }

        yield return ("no Content-Type", Probe.Json(sample), null);
    }

    private static byte[] Join(IEnumerable<byte[]> parts)
    {
        var all = new List<byte>();
        foreach (var part in parts)
        {
            if (all.Count > 0)
            {
                all.Add((byte)',');
            }

            all.AddRange(part);
        }

        return [.. all];
    }

    /// <summary>
    /// Both users exist before any hostile request: a mutation that got through validation must then be accepted (and
    /// show), not refused as "unknown user".
    /// </summary>
    private async Task RegisterAsync()
    {
        await system.Run.UserTokenAsync(system.Api, Sender);
        await system.Run.UserTokenAsync(system.Api, Recipient);
    }

    /// <summary>Every route that reads a body (POST, not SignalR's own).</summary>
    private static async Task<IEnumerable<RouteEntry>> BodyRoutesAsync() =>
        (await RouteTable.ReadAsync()).Where(r => r.Method == "POST" && !r.Route.StartsWith("/hub", StringComparison.Ordinal));

    private async Task<(int Status, string Body)> SendAsync(RouteEntry route, HttpMethod method, string path, byte[]? body, string? contentType, CancellationToken cancellationToken) =>
        await Probe.SendAsync(system.Run.Http, system.Roles[route.Role].Url, method, path, await CredentialAsync(route), body, contentType, cancellationToken);

    /// <summary>The credential that gets past the route's policy.</summary>
    private async Task<AuthenticationHeaderValue> CredentialAsync(RouteEntry route) =>
        AccessTable.Of(route) is Access.User or Access.Owner ? SystemRun.Bearer(await system.Run.UserTokenAsync(system.Api, Sender)) : system.Run.Admin();

    private static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(15));
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (SocketException)
        {
            // reset by the server: no answer
        }

        return Encoding.ASCII.GetString([.. received]);
    }

    /// <summary>
    /// After everything above: no error or stack trace logged, no process down, and a good message from
    /// <see cref="Sender"/> to <see cref="Recipient"/> is the one and only row of the recipient's inbox.
    /// </summary>
    private async Task NothingLostAsync(CancellationToken cancellationToken)
    {
        system.ProblemLines().Should().BeEmpty();
        system.Exited().Should().BeEmpty();
        var run = system.Run;
        var key = "good-" + Guid.NewGuid().ToString("N");
        using var sent = await run.PostAsUserAsync(system.Api, Sender, "/messages", new { idempotencyKey = key, to = new[] { Recipient }, body = "good" }, cancellationToken);
        sent.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var id = (await JsonDocument.ParseAsync(await sent.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken)).RootElement.GetProperty("id").GetString();
        List<(string Id, long Seq)> inbox;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        while (!(inbox = await run.InboxAsync(system.Api, Recipient, bound.Token)).Any(i => i.Id == id))
        {
            await Task.Delay(100, bound.Token);
        }

        inbox.Select(i => i.Id).Should().Equal([.. Goods, id], "nothing a hostile request carried reached the inbox");
        Goods.Add(id!);
    }

    /// <summary>The good messages sent so far (several tests of this class check the same inbox).</summary>
    private static readonly List<string> Goods = [];
}
