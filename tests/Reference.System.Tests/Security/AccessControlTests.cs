using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chaos.Reference.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.Tokens;

namespace Chaos.Reference.Tests.Security;

/// <summary>
/// Every endpoint of every role (read from the route table), against every credential an attacker would try: none, a
/// forged token of each kind, the admin key where a user is wanted and a user token where the admin is, another
/// user's token. Not one is accepted, not one leaves a trace; and the right credential is (so the refusals are about
/// the credential, not a broken set-up).
/// </summary>
[Collection(SecuredSystem.Name)]
public sealed class AccessControlTests(SecuredSystem system)
{
    private enum Holder
    {
        Nobody,
        Alice,
        Bob,
        Admin,
    }

    [Fact]
    public async Task Every_endpoint_refuses_every_credential_but_its_own_and_accepts_its_own()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = system.Run;
        var alice = await run.UserTokenAsync(system.Api, "alice");
        var bob = await run.UserTokenAsync(system.Api, "bob");
        var credentials = Credentials(run.JwtKey, run.AdminKey, alice, bob);
        var problems = new List<string>();
        var probes = 0;

        foreach (var route in await RouteTable.ReadAsync())
        {
            var access = AccessTable.Of(route);
            if (access == Access.Open)
            {
                continue;
            }

            foreach (var method in Probe.Methods(route))
            {
                foreach (var (name, holder, header) in credentials)
                {
                    var accepted = Accepts(access, holder);
                    // a refused probe carries a body that would have had an effect; an accepted one a body that cannot
                    var body = method == HttpMethod.Post && !route.Route.StartsWith("/hub", StringComparison.Ordinal) ? Probe.Json(accepted ? "{}" : EffectfulBody(route)) : null;
                    var (status, text) = await Probe.SendAsync(run.Http, system.Roles[route.Role].Url, method, Probe.Path(route), header, body, "application/json", ct);
                    probes++;
                    if (accepted && status is 401 or 403)
                    {
                        problems.Add($"{route} {method}: {name} refused with {status}: {Probe.Shorten(text)}");
                    }
                    else if (!accepted && (status is not (401 or 403) || !Probe.IsJsonError(text)))
                    {
                        problems.Add($"{route} {method}: {name} answered {status}: {Probe.Shorten(text)}");
                    }
                }
            }
        }

        string.Join('\n', problems).Should().BeEmpty($"of {probes} probes, only each endpoint's own credential gets past its policy");
        probes.Should().BeGreaterThan(600, "every endpoint of every role was probed with every credential");

        // nothing a refused request carried left a trace
        (await CountAsync("SELECT COUNT(*) FROM messages WHERE payload = 'forged'", ct)).Should().Be(0);
        (await CountAsync("SELECT COUNT(*) FROM jobs WHERE transaction_id = 'forged'", ct)).Should().Be(0);
        (await CountAsync("SELECT COUNT(*) FROM users WHERE id = 'mallory'", ct)).Should().Be(0);
        foreach (var (role, process) in system.Roles)
        {
            (await run.GetJsonAsync(process, "/admin/failpoints", ct)).GetArrayLength().Should().Be(0, $"no failpoint was armed on {role}");
        }

        using var downstream = await run.PostAsync(system.Jobs, "/admin/downstream", new { }, ct);
        (await downstream.Content.ReadAsStringAsync(ct)).Should().Be("""{"failureRate":0,"latencyMs":0}""");
        system.ProblemLines().Should().BeEmpty();
        system.Exited().Should().BeEmpty();
    }

    [Fact]
    public async Task A_message_is_sent_as_the_tokens_user_and_an_inbox_is_read_only_by_its_owner()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = system.Run;
        var api = system.Api;
        await run.UserTokenAsync(api, "grace");
        var heidi = SystemRun.Bearer(await run.UserTokenAsync(api, "heidi"));

        using (var spoofed = await run.PostAsUserAsync(api, "grace", "/messages", new { idempotencyKey = "spoof", from = "heidi", to = new[] { "heidi" }, body = "spoofed" }, ct))
        {
            spoofed.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await spoofed.Content.ReadAsStringAsync(ct)).Should().Be("""{"error":"field 'from' must be the token's user ('grace')"}""");
        }

        // the same idempotency key and body from two users are two messages: keys are scoped per sender
        var ids = new List<string>();
        foreach (var sender in new[] { "grace", "heidi" })
        {
            using var sent = await run.PostAsUserAsync(api, sender, "/messages", new { idempotencyKey = "shared-key", to = new[] { "heidi" }, body = "hello" }, ct);
            sent.StatusCode.Should().Be(HttpStatusCode.Accepted);
            ids.Add((await sent.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!);
        }

        ids.Distinct().Should().HaveCount(2);
        var inbox = await WaitForInboxAsync(api, "heidi", heidi, 2, ct);
        inbox.Select(i => (i.GetProperty("id").GetString(), i.GetProperty("sender").GetString())).Should().Equal((ids[0], "grace"), (ids[1], "heidi"));
        (await CountAsync("SELECT COUNT(*) FROM messages WHERE payload = 'spoofed'", ct)).Should().Be(0);

        foreach (var (who, header, status) in new[]
        {
            ("grace", SystemRun.Bearer(await run.UserTokenAsync(api, "grace")), 403),
            ("the admin key", run.Admin(), 401),
            ("nobody", (AuthenticationHeaderValue?)null, 401),
        })
        {
            var (answer, text) = await Probe.SendAsync(run.Http, api.Url, HttpMethod.Get, "/users/heidi/inbox", header, null, null, ct);
            answer.Should().Be(status, $"{who} reads heidi's inbox: {text}");
        }
    }

    [Fact]
    public async Task A_user_registered_with_a_secret_gets_a_token_with_it_and_with_nothing_else()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = system.Run;
        var api = system.Api;
        async Task<(int Status, string Body)> Token(object body, AuthenticationHeaderValue? header = null) =>
            await Probe.SendAsync(run.Http, api.Url, HttpMethod.Post, "/token", header, JsonSerializer.SerializeToUtf8Bytes(body), "application/json", ct);

        using var registered = await run.PostAsync(api, "/users", new { user = "carol" }, ct);
        registered.StatusCode.Should().Be(HttpStatusCode.Created);
        var secret = (await registered.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("secret").GetString()!;
        secret.Should().HaveLength(43, "256 random bits, base64url");

        var (status, body) = await Token(new { user = "carol", secret });
        status.Should().Be(200, body);
        var token = JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
        (await Probe.SendAsync(run.Http, api.Url, HttpMethod.Get, "/users/carol/inbox", SystemRun.Bearer(token), null, null, ct)).Status.Should().Be(200);

        (await Token(new { user = "carol", secret = secret + "x" })).Status.Should().Be(401, "a wrong secret");
        (await Token(new { user = "carol" })).Status.Should().Be(401, "no secret and no admin key");
        (await Token(new { user = "dave", secret })).Status.Should().Be(401, "carol's secret is not dave's");
        (await Token(new { user = "carol", secret }, new AuthenticationHeaderValue("AdminKey", "wrong-admin-key-0123456789"))).Status
            .Should().Be(401, "a wrong admin key is refused, not ignored in favour of the secret");
        (await Token(new { user = "carol", secret }, SystemRun.Bearer(token))).Status.Should().Be(200, "a user token neither helps nor hurts a login");

        using var again = await run.PostAsync(api, "/users", new { user = "carol" }, ct);
        again.StatusCode.Should().Be(HttpStatusCode.OK, "registering again replaces the secret");
        var rotated = (await again.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("secret").GetString()!;
        rotated.Should().NotBe(secret);
        (await Token(new { user = "carol", secret })).Status.Should().Be(401, "the replaced secret is dead");
        (await Token(new { user = "carol", secret = rotated })).Status.Should().Be(200);
        (await CountAsync("SELECT COUNT(*) FROM credentials WHERE secret_hash = '" + secret + "' OR secret_hash = '" + rotated + "'", ct)).Should().Be(0, "only hashes are stored");
        system.ProblemLines().Should().BeEmpty();
    }

    /// <summary>A token of an expired, forged or foreign kind, for each way of getting one wrong.</summary>
    private static List<(string Name, Holder Holder, AuthenticationHeaderValue? Header)> Credentials(string jwtKey, string adminKey, string alice, string bob)
    {
        var now = DateTime.UtcNow;
        static AuthenticationHeaderValue Bearer(string token) => SystemRun.Bearer(token);
        return
        [
            ("no credential", Holder.Nobody, null),
            ("a garbage bearer token", Holder.Nobody, Bearer("not-a-jwt")),
            ("an empty bearer token", Holder.Nobody, new AuthenticationHeaderValue("Bearer")),
            ("alg none", Holder.Nobody, Bearer(TokenForge.Unsigned("alice"))),
            ("a tampered token (claims changed after signing)", Holder.Nobody, Bearer(TokenForge.Tampered(alice, "bob"))),
            ("a token signed with another key", Holder.Nobody, Bearer(TokenForge.Signed("another-key-0123456789abcdef", "alice"))),
            ("an expired token", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, "alice", now.AddMinutes(-20), now.AddMinutes(-10)))),
            ("a token not valid yet", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, "alice", now.AddMinutes(10), now.AddMinutes(20)))),
            ("a token without expiry", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, "alice", withExpiry: false))),
            ("another issuer", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, "alice", issuer: "someone-else"))),
            ("another audience", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, "alice", audience: "someone-else"))),
            ("HS512 with the system's key", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, "alice", algorithm: SecurityAlgorithms.HmacSha512))),
            ("another token type", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, "alice", type: "at+jwt"))),
            ("a token without a subject", Holder.Nobody, Bearer(TokenForge.Signed(jwtKey, null))),
            ("a wrong admin key", Holder.Nobody, new AuthenticationHeaderValue("AdminKey", "wrong-admin-key-0123456789")),
            ("the admin key with a byte more", Holder.Nobody, new AuthenticationHeaderValue("AdminKey", adminKey + "x")),
            ("the admin key as a bearer token", Holder.Nobody, Bearer(adminKey)),
            ("a user token as the admin key", Holder.Nobody, new AuthenticationHeaderValue("AdminKey", alice)),
            ("the admin key as Basic credentials", Holder.Nobody, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + adminKey)))),
            ("alice's token", Holder.Alice, Bearer(alice)),
            ("alice's token claiming an admin role", Holder.Alice, Bearer(TokenForge.Signed(jwtKey, "alice", extraClaims: new Dictionary<string, object> { ["role"] = "admin" }))),
            ("bob's token", Holder.Bob, Bearer(bob)),
            ("the admin key", Holder.Admin, new AuthenticationHeaderValue("AdminKey", adminKey)),
        ];
    }

    /// <summary>Which holder an endpoint of <paramref name="access"/> lets in, for routes naming alice.</summary>
    private static bool Accepts(Access access, Holder holder) => access switch
    {
        Access.Admin or Access.Login => holder == Holder.Admin,
        Access.User => holder is Holder.Alice or Holder.Bob,
        Access.Owner => holder == Holder.Alice,
        _ => true,
    };

    /// <summary>A body that would have had an effect had the request been let in.</summary>
    private static string EffectfulBody(RouteEntry route) => route.Route switch
    {
        "/users" or "/token" => """{"user":"mallory"}""",
        "/messages" => """{"idempotencyKey":"forged","from":"alice","to":["alice"],"body":"forged"}""",
        "/notifications" => """{"idempotencyKey":"forged","to":"alice","body":"forged"}""",
        "/jobs" => """{"account":"forged","amount":5,"transactionId":"forged"}""",
        "/admin/failpoints" => """{"spec":"api.before-persist=delay:1@1000000"}""",
        "/admin/downstream" => """{"failureRate":0.5,"latencyMs":1}""",
        _ => "{}",
    };

    private async Task<long> CountAsync(string sql, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection("Data Source=" + system.Run.Db["sqlite:".Length..]);
        await db.OpenAsync(cancellationToken);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private async Task<List<JsonElement>> WaitForInboxAsync(SutProcess api, string user, AuthenticationHeaderValue owner, int count, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var inbox = await system.Run.GetJsonAsync(api, $"/users/{user}/inbox", bound.Token, owner);
            var items = inbox.GetProperty("items").EnumerateArray().ToList();
            if (items.Count >= count)
            {
                return items;
            }

            await Task.Delay(100, bound.Token);
        }
    }
}
