using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Chaos.Reference.Gateway;
using Chaos.Reference.Tests.Support;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.Tokens;

namespace Chaos.Reference.Tests.Security;

/// <summary>
/// The gateway hub: the handshake refuses every forged token (header or query) and a device name outside the
/// alphabet; every hub method (read from the hub type, so a new one is covered) takes hostile arguments without harm;
/// and a device only ever gets its own user's rows.
/// </summary>
[Collection(SecuredSystem.Name)]
public sealed class HubSecurityTests(SecuredSystem system)
{
    /// <summary>The hub methods a client may call (docs/reference-system.md, hub contract).</summary>
    private static readonly string[] StatedMethods = ["Ack", "Resume"];

    [Fact]
    public void The_hub_exposes_exactly_the_stated_methods()
    {
        // what SignalR treats as hub methods: public instance methods that are not Hub's own (nor overrides of them)
        typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType is { } d && d != typeof(Hub) && d != typeof(object))
            .Select(m => m.Name).Order(StringComparer.Ordinal)
            .Should().Equal(StatedMethods, "a new hub method needs a row here and in the hub contract, and the hostile-argument test below");
    }

    [Fact]
    public async Task Every_forged_token_is_refused_at_the_handshake_in_the_header_and_in_the_query()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = system.Run;
        var valid = await run.UserTokenAsync(system.Api, "erin");
        var now = DateTime.UtcNow;
        (string Name, string? Token)[] forged =
        [
            ("no token", null),
            ("garbage", "not-a-jwt"),
            ("alg none", TokenForge.Unsigned("erin")),
            ("tampered", TokenForge.Tampered(valid, "frank")),
            ("another key", TokenForge.Signed("another-key-0123456789abcdef", "erin")),
            ("expired", TokenForge.Signed(run.JwtKey, "erin", now.AddMinutes(-20), now.AddMinutes(-10))),
            ("not valid yet", TokenForge.Signed(run.JwtKey, "erin", now.AddMinutes(10), now.AddMinutes(20))),
            ("no expiry", TokenForge.Signed(run.JwtKey, "erin", withExpiry: false)),
            ("another issuer", TokenForge.Signed(run.JwtKey, "erin", issuer: "someone-else")),
            ("another audience", TokenForge.Signed(run.JwtKey, "erin", audience: "someone-else")),
            ("HS512", TokenForge.Signed(run.JwtKey, "erin", algorithm: SecurityAlgorithms.HmacSha512)),
            ("another type", TokenForge.Signed(run.JwtKey, "erin", type: "at+jwt")),
            ("no subject", TokenForge.Signed(run.JwtKey, null)),
            ("the admin key", run.AdminKey),
        ];

        foreach (var (name, token) in forged)
        {
            await using var connection = Connect(token, "d1");
            var start = () => connection.StartAsync(ct);
            // 401: no valid token; 403: a valid token that names no user (the policy wants a subject)
            var expected = name == "no subject" ? "403" : "401";
            (await start.Should().ThrowAsync<Exception>($"{name} is refused")).Which.Message.Should().Contain($"'{expected}'", name);

            var query = token is null ? "/hub?device=d1" : $"/hub?device=d1&access_token={Uri.EscapeDataString(token)}";
            var (status, body) = await Probe.SendAsync(run.Http, system.Gateway.Url, HttpMethod.Get, query, null, null, null, ct);
            (status.ToString(System.Globalization.CultureInfo.InvariantCulture), Probe.IsJsonError(body)).Should().Be((expected, true), $"{name} in the query is refused: {body}");
        }

        // the same paths with the valid token get past authentication (SignalR itself then answers the plain GET)
        await using (var ok = Connect(valid, "d1"))
        {
            await ok.StartAsync(ct);
            ok.State.Should().Be(HubConnectionState.Connected);
        }

        (await Probe.SendAsync(run.Http, system.Gateway.Url, HttpMethod.Get, $"/hub?device=d1&access_token={valid}", null, null, null, ct)).Status.Should().Be(400);
        system.ProblemLines().Should().BeEmpty();
    }

    [Theory]
    [InlineData("%00")]
    [InlineData("a%0Ab")]
    [InlineData("%ED%A0%80")]
    [InlineData("a%20b")]
    public async Task A_device_name_outside_the_alphabet_is_refused_at_the_handshake_with_a_json_error(string device)
    {
        var ct = TestContext.Current.CancellationToken;
        var token = await system.Run.UserTokenAsync(system.Api, "erin");
        var (status, body) = await Probe.SendAsync(system.Run.Http, system.Gateway.Url, HttpMethod.Get, $"/hub?device={device}", SystemRun.Bearer(token), null, null, ct);
        (status, body).Should().Be((400, """{"error":"query parameter 'device' must be 1-128 of A-Z a-z 0-9 . _ @ + -"}"""));
        system.ProblemLines().Should().BeEmpty();
    }

    [Fact]
    public async Task Every_hub_method_takes_hostile_arguments_without_harm_and_a_device_gets_only_its_own_users_rows()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = system.Run;
        var frank = await run.UserTokenAsync(system.Api, "frank");
        var erin = await run.UserTokenAsync(system.Api, "erin");
        var frames = new ConcurrentQueue<JsonElement>();
        await using var connection = Connect(erin, "raw");
        connection.On<JsonElement>("Deliver", frames.Enqueue);
        await connection.StartAsync(ct);

        object?[][] hostile =
        [
            [], ["x"], [1.5], [null], [true], [long.MaxValue], [long.MinValue], [-1L], [1L, 2L], [new long[100]],
            [new { seq = 1 }], ["\ud800"], [new string('9', 400)],
        ];
        var outcomes = new List<string>();
        foreach (var method in StatedMethods)
        {
            foreach (var args in hostile)
            {
                var expected = args is [long] ? "ok" : "refused";
                var outcome = await InvokeAsync(connection, method, args, ct);
                if (outcome != expected || connection.State != HubConnectionState.Connected)
                {
                    outcomes.Add($"{method}({JsonSerializer.Serialize(args)}): {outcome}, connection {connection.State}");
                }
            }
        }

        foreach (var name in new[] { "Deliver", "OnConnectedAsync", "OnDisconnectedAsync", "Dispose", "RefuseBadDeviceAsync", "ToString", "GetType" })
        {
            if (await InvokeAsync(connection, name, [], ct) != "refused" || connection.State != HubConnectionState.Connected)
            {
                outcomes.Add($"{name}(): not refused");
            }
        }

        string.Join('\n', outcomes).Should().BeEmpty("a long is the one argument either method takes; nothing else is callable");

        // a device gets its own user's rows only: a message to frank never reaches erin's connection
        using (var toFrank = await run.PostAsUserAsync(system.Api, "frank", "/messages", new { idempotencyKey = "hub-1", to = new[] { "frank" }, body = "frank only" }, ct))
        {
            toFrank.EnsureSuccessStatusCode();
        }

        using var toErin = await run.PostAsUserAsync(system.Api, "frank", "/messages", new { idempotencyKey = "hub-2", to = new[] { "erin" }, body = "for erin" }, ct);
        var erinsId = (await JsonDocument.ParseAsync(await toErin.Content.ReadAsStreamAsync(ct), cancellationToken: ct)).RootElement.GetProperty("id").GetString();
        await connection.InvokeAsync("Resume", 0L, ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        while (!frames.Any(f => f.GetProperty("id").GetString() == erinsId))
        {
            await Task.Delay(50, bound.Token);
        }

        frames.Select(f => (f.GetProperty("user").GetString(), f.GetProperty("id").GetString())).Distinct().Should().Equal(("erin", erinsId));
        _ = frank;

        // a frame over the hub's 64 KB limit ends that connection, and only that one
        await using (var big = Connect(erin, "big"))
        {
            await big.StartAsync(ct);
            var closed = new TaskCompletionSource();
            big.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            _ = await InvokeAsync(big, "Ack", [new string('x', 100_000)], ct);
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }

        connection.State.Should().Be(HubConnectionState.Connected);
        system.ProblemLines().Should().BeEmpty();
        system.Exited().Should().BeEmpty();
    }

    private static async Task<string> InvokeAsync(HubConnection connection, string method, object?[] args, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await connection.InvokeCoreAsync(method, typeof(object), args, bound.Token);
            return "ok";
        }
        catch (HubException)
        {
            return "refused";
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            return "connection lost: " + e.GetType().Name;
        }
    }

    /// <summary>A raw SignalR connection (not the client library, which would refuse to send most of the above).</summary>
    private HubConnection Connect(string? token, string device) => new HubConnectionBuilder()
        .WithUrl(new Uri(system.Gateway.Url, "/hub?device=" + device), o =>
        {
            o.SkipNegotiation = true;
            o.Transports = HttpTransportType.WebSockets;
            o.AccessTokenProvider = () => Task.FromResult(token);
        })
        .Build();
}
