using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Chaos.Reference.Client;
using Npgsql;

namespace Chaos.Reference.Tests.Support;

/// <summary>
/// One isolated run of the system under test: its own topics (a unique prefix on the shared mock cluster), its own
/// database (a fresh SQLite file, or a fresh PostgreSQL database), and the processes a test starts. Disposal kills them.
/// </summary>
public sealed class SystemRun : IAsyncDisposable
{
    private readonly List<SutProcess> _processes = [];
    private readonly ConcurrentDictionary<string, Task<string>> _tokens = new(StringComparer.Ordinal);
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _directory;
    private readonly string? _postgresAdmin;
    private readonly string? _postgresDatabase;

    private SystemRun(TemporaryMockKafka kafka, string prefix, string db, string directory, string? postgresAdmin, string? postgresDatabase)
    {
        Kafka = kafka;
        Prefix = prefix;
        Db = db;
        _directory = directory;
        _postgresAdmin = postgresAdmin;
        _postgresDatabase = postgresDatabase;
    }

    public TemporaryMockKafka Kafka { get; }

    public string Prefix { get; }

    public string Db { get; }

    public string Directory => _directory;

    /// <summary>This run's JWT key: random, handed to the processes in their environment (never argv), known to tests that forge tokens.</summary>
    public string JwtKey { get; } = RandomKey();

    /// <summary>This run's admin key, handed over the same way.</summary>
    public string AdminKey { get; } = RandomKey();

    /// <summary>More variables for the processes started from now on (e.g. an OTLP collector's address).</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>The environment every process of the run starts with: its keys, and <see cref="ExtraEnvironment"/>.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(ExtraEnvironment)
    {
        ["REFSYS_JWT_KEY"] = JwtKey,
        ["REFSYS_ADMIN_KEY"] = AdminKey,
    };

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(90) };

    public IReadOnlyList<SutProcess> Processes => _processes;

    public static async Task<SystemRun> CreateAsync(TemporaryMockKafka kafka, string? postgres = null, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var prefix = $"t{id}.";
        var directory = Path.Combine(Path.GetTempPath(), "refsys-tests", id);
        System.IO.Directory.CreateDirectory(directory);
        kafka.CreateTopic(prefix + "fanout", 6);
        kafka.CreateTopic(prefix + "deliveries", 3);
        kafka.CreateTopic(prefix + "jobs", 4);
        kafka.CreateTopic(prefix + "jobs-dlq", 1);
        if (postgres is null)
        {
            return new SystemRun(kafka, prefix, "sqlite:" + Path.Combine(directory, "run.db"), directory, null, null);
        }

        var database = "refsys_" + id;
        await using (var admin = new NpgsqlConnection(postgres))
        {
            await admin.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var cs = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
        return new SystemRun(kafka, prefix, "postgres:" + cs, directory, postgres, database);
    }

    public Task<SutProcess> StartAsync(string role, string instance, params string[] extra) => StartWithParentAsync(null, role, instance, extra);

    public async Task<SutProcess> StartWithParentAsync(int? parentPid, string role, string instance, params string[] extra)
    {
        string[] args =
        [
            "--role", role, "--instance", instance, "--urls", "http://127.0.0.1:0", "--kafka", Kafka.BootstrapServers,
            "--db", Db, "--topic-prefix", Prefix, "--session-timeout-ms", "3000", "--client-timeout-ms", "4000",
            "--seed", "42", .. extra,
        ];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var p = await SutProcess.StartAsync(instance, args, cts.Token, parentPid, Environment);
        lock (_processes)
        {
            _processes.Add(p);
        }

        return p;
    }

    /// <summary>Waits until /readyz answers 200 (consumer subscribed, backplane assigned).</summary>
    public async Task WaitReadyAsync(SutProcess p, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (cts.IsCancellationRequested || p.HasExited)
            {
                throw new TimeoutException($"{p.Name} not ready (exited: {p.HasExited}):\n{p.Log}");
            }

            try
            {
                using var r = await Http.GetAsync(new Uri(p.Url, "/readyz"), cts.Token);
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            catch (OperationCanceledException)
            {
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>A fresh token for <paramref name="user"/>, issued to the admin key (which registers the user), as the harness does.</summary>
    public async Task<string> TokenAsync(SutProcess api, string user, int ttlSeconds = 3600)
    {
        using var r = await SendAsync(HttpMethod.Post, api, "/token", new { user, ttlSeconds }, Admin(), CancellationToken.None);
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary><paramref name="user"/>'s token, issued once per run and kept (a send or an inbox read costs no extra round trip).</summary>
    public async Task<string> UserTokenAsync(SutProcess api, string user)
    {
        var issue = _tokens.GetOrAdd(user, u => TokenAsync(api, u));
        try
        {
            return await issue;
        }
        catch
        {
            _tokens.TryRemove(new KeyValuePair<string, Task<string>>(user, issue)); // not kept: the next call asks again
            throw;
        }
    }

    /// <summary><c>Authorization: AdminKey …</c></summary>
    public AuthenticationHeaderValue Admin() => new("AdminKey", AdminKey);

    /// <summary><c>Authorization: Bearer …</c></summary>
    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary>A request with a JSON body (none when <paramref name="body"/> is null) and the given credential (none when null).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, SutProcess process, string path, object? body, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(process.Url, path));
        request.Headers.Authorization = authorization;
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await Http.SendAsync(request, cancellationToken);
    }

    /// <summary>POST with the admin key: notifications, jobs, admin endpoints.</summary>
    public Task<HttpResponseMessage> PostAsync(SutProcess api, string path, object body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, api, path, body, Admin(), cancellationToken);

    /// <summary>POST as <paramref name="user"/> (its token): chat messages.</summary>
    public async Task<HttpResponseMessage> PostAsUserAsync(SutProcess api, string user, string path, object body, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, api, path, body, Bearer(await UserTokenAsync(api, user)), cancellationToken);

    /// <summary>A chat message from the user "sender" (registered on first use); returns the message id.</summary>
    public async Task<string> SendAsync(SutProcess api, string key, string[] to, string body, CancellationToken cancellationToken = default)
    {
        using var r = await PostAsUserAsync(api, "sender", "/messages", new { idempotencyKey = key, from = "sender", to, body }, cancellationToken);
        var text = await r.Content.ReadAsStringAsync(cancellationToken);
        if (!r.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST /messages {(int)r.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>GET with the admin key (metrics, presence, jobs, accounts, DLQ), or with <paramref name="authorization"/>.</summary>
    public async Task<JsonElement> GetJsonAsync(SutProcess p, string path, CancellationToken cancellationToken = default, AuthenticationHeaderValue? authorization = null)
    {
        using var r = await SendAsync(HttpMethod.Get, p, path, null, authorization ?? Admin(), cancellationToken);
        var text = await r.Content.ReadAsStringAsync(cancellationToken);
        return r.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : throw new HttpRequestException($"GET {path} {(int)r.StatusCode}: {text}");
    }

    /// <summary>The durable inbox as the api returns it to its owner: (id, seq) in sequence order.</summary>
    public async Task<List<(string Id, long Seq)>> InboxAsync(SutProcess api, string user, CancellationToken cancellationToken = default)
    {
        var json = await GetJsonAsync(api, $"/users/{user}/inbox?after=0&limit=10000", cancellationToken, Bearer(await UserTokenAsync(api, user)));
        return [.. json.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("id").GetString()!, i.GetProperty("seq").GetInt64()))];
    }

    public ChatClient Client(SutProcess gateway, SutProcess api, string user, string device, ISequenceStore? store = null, bool dropDuplicates = true)
    {
        var client = new ChatClient(new ChatClientOptions
        {
            HubUrl = new Uri(gateway.Url, "/hub"),
            TokenProvider = async ct => await TokenAsync(api, user),
            User = user,
            Device = device,
            SequenceStore = store ?? new InMemorySequenceStore(),
            DropDuplicates = dropDuplicates,
            ServerTimeout = TimeSpan.FromSeconds(8),
            KeepAliveInterval = TimeSpan.FromSeconds(1),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });
        _owned.Add(client);
        return client;
    }

    /// <summary>All process logs, for a failure message.</summary>
    public string Logs() => string.Join("\n", _processes.Select(p => $"===== {p.Name} (exited: {p.HasExited})\n{p.Log}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned)
        {
            try
            {
                await o.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception)
            {
                // best effort: the processes are killed below regardless
            }
        }

        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
        Http.Dispose();
        if (_postgresAdmin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_postgresAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        try
        {
            // the shared parent too, once the last run is gone (a concurrent run's directory keeps it: not empty)
            System.IO.Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: false);
        }
        catch (IOException)
        {
        }
    }

    private static string RandomKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
