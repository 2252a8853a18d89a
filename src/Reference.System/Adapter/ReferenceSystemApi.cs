using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Chaos.Harness.Api;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.History;
using Confluent.Kafka;

namespace Chaos.Reference.Adapter;

/// <summary>
/// The reference system's HTTP api behind <see cref="ISystemApi"/> (docs/reference-system.md, "HTTP api"): writes go to
/// one api instance chosen by the route, reads to the first instance that answers. Chat messages carry the sender's
/// token; notifications, jobs and the job and account reads the harness's admin key; an inbox is read with its owner's
/// token (docs/security.md).
/// </summary>
public sealed class ReferenceSystemApi : ISystemApi, IDisposable
{
    private const int InboxPage = 5000;
    private readonly ReferenceProtocol _sut;
    private readonly TimeSpan _requestTimeout;
    private readonly HttpClient _http;

    /// <summary>The api of <paramref name="sut"/>; a write unanswered within <paramref name="requestTimeout"/> ends info.</summary>
    public ReferenceSystemApi(ReferenceSystemDeployment sut, TimeSpan requestTimeout)
        : this(ReferenceProtocol.Of(sut), requestTimeout)
    {
    }

    /// <summary>The reference protocol as <paramref name="protocol"/> says it is spoken (a declared system's paths and nodes).</summary>
    internal ReferenceSystemApi(ReferenceProtocol protocol, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        _sut = protocol;
        _requestTimeout = requestTimeout;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<string> IssueTokenAsync(string user, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var api in _sut.ApiUrls())
        {
            try
            {
                // the harness registers its users and issues their tokens with the admin key (docs/security.md)
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, _sut.TokenPath)) { Content = JsonContent.Create(new { user, ttlSeconds = 86_400 }) };
                request.Headers.Authorization = _sut.AdminAuthorization();
                using var response = await _http.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();
                var json = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                return json.GetProperty("token").GetString()!;
            }
            catch (HttpRequestException e)
            {
                last = e;
            }
        }

        throw new InvalidOperationException($"no api instance issued a token for {user}", last);
    }

    public Task<HistoryEventType> SendMessageAsync(ChatMessage message, string senderToken, long route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PostAsync(
            _sut.MessagesPath,
            new { id = message.Id, idempotencyKey = message.Id, from = message.From, conversation = message.Conversation, to = message.To, body = message.Body },
            route,
            SystemCredentials.UserAuthorization(senderToken),
            cancellationToken);
    }

    public Task<HistoryEventType> SendNotificationAsync(Notification notification, long route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return PostAsync(
            _sut.NotificationsPath,
            new { id = notification.Id, idempotencyKey = notification.Id, to = notification.To, body = notification.Body },
            route,
            _sut.AdminAuthorization(),
            cancellationToken);
    }

    public Task<HistoryEventType> SubmitJobAsync(JobSubmission job, long route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        // the job's key is its transaction id (GET /jobs/{txn})
        return PostAsync(
            "/jobs",
            new { idempotencyKey = job.Id, account = job.Account, amount = job.Amount, transactionId = job.Id },
            route,
            _sut.AdminAuthorization(),
            cancellationToken);
    }

    public async Task<long> InboxHeadAsync(string user, string ownerToken, CancellationToken cancellationToken)
    {
        var json = await GetAsync($"{_sut.InboxOf(user)}?after=0&limit=1", SystemCredentials.UserAuthorization(ownerToken), cancellationToken)
            ?? throw new SystemReadException($"the inbox of {user}: not found");
        return json.TryGetProperty("latestSeq", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : 0;
    }

    public async Task<IReadOnlyList<SyncItem>> ReadInboxAsync(string user, string device, string ownerToken, CancellationToken cancellationToken)
    {
        var items = new List<SyncItem>();
        long after = 0;
        while (true)
        {
            var page = await GetAsync($"{_sut.InboxOf(user)}?after={after}&limit={InboxPage}&device={device}", SystemCredentials.UserAuthorization(ownerToken), cancellationToken)
                ?? throw new SystemReadException($"the inbox of {user}: not found");
            var added = 0;
            foreach (var item in Property(page, "items", "the inbox page").EnumerateArray())
            {
                var seq = item.GetProperty("seq").GetInt64();
                items.Add(new SyncItem(item.GetProperty("id").GetString()!, seq));
                after = Math.Max(after, seq);
                added++;
            }

            if (added < InboxPage)
            {
                return items;
            }
        }
    }

    public async Task<JobReport?> ReadJobAsync(string id, CancellationToken cancellationToken)
    {
        if (await GetAsync($"/jobs/{id}", _sut.AdminAuthorization(), cancellationToken) is not { } job)
        {
            return null;
        }

        var state = Property(job, "state", $"job {id}").GetString() switch
        {
            "done" => JobStates.Done,
            "dead" => JobStates.DeadLettered,
            var other => other ?? "unknown",
        };
        var reason = job.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        List<JobAttemptReport>? attempts = null;
        if (job.TryGetProperty("attempts", out var a) && a.ValueKind == JsonValueKind.Array)
        {
            attempts = [.. a.EnumerateArray().Select(at => new JobAttemptReport(
                at.GetProperty("atMs").GetInt64(),
                at.GetProperty("attempt").GetInt32(),
                at.TryGetProperty("outcome", out var o) ? o.GetString() : null))];
        }

        return new JobReport(state, reason, attempts);
    }

    public async Task<decimal> ReadBalanceAsync(string account, CancellationToken cancellationToken)
    {
        var json = await GetAsync($"/accounts/{account}", _sut.AdminAuthorization(), cancellationToken)
            ?? throw new SystemReadException($"account {account}: not found");
        return Property(json, "balance", $"account {account}").GetDecimal();
    }

    /// <summary>The reference system: every notifier and jobs instance reports partitions in its metrics (the groups
    /// finished their first rebalances); a declared system: as its protocol says (<see cref="ReferenceProtocol.ConsumersAssigned"/>).</summary>
    public Task<bool> ConsumersAssignedAsync(CancellationToken cancellationToken) => _sut.ConsumersAssigned(cancellationToken);

    public async Task<IReadOnlyList<ConsumerLag>> ConsumerLagAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(
                () => _sut.ConsumerGroups.Select(g => new ConsumerLag(g.Group, g.Topic, GroupOffsets.Lag(_sut.BootstrapServers, g.Group, g.Topic))).ToList(),
                cancellationToken);
        }
        catch (KafkaException e)
        {
            throw new SystemReadException($"consumer lag unreadable: {e.Error.Reason}", e);
        }
    }

    public async Task<DeadLettersValue?> ReadDeadLettersAsync(CancellationToken cancellationToken)
    {
        if (_sut.DeadLetterTopic is not { } topic)
        {
            return null;
        }

        try
        {
            var records = await Task.Run(() => TopicRecords.ReadAll(_sut.BootstrapServers, topic, cancellationToken), cancellationToken);
            var read = new List<DeadLetterRecord>(records.Count);
            foreach (var record in records)
            {
                // a job that could not even be parsed has no key: it names no job the history knows
                if (!string.IsNullOrEmpty(record.Key))
                {
                    read.Add(new DeadLetterRecord(record.Key, ReasonOf(record.Value)));
                }
            }

            return new DeadLettersValue(topic, read);
        }
        catch (KafkaException e)
        {
            throw new SystemReadException($"dead-letter topic {topic} unreadable: {e.Error.Reason}", e);
        }
        catch (ArgumentException e)
        {
            throw new SystemReadException($"dead-letter topic {topic} unreadable: {e.Message}", e);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The <c>reason</c> of a dead-letter record's JSON value; null when the value is absent, not JSON or names none.</summary>
    private static string? ReasonOf(string? value)
    {
        if (value is null)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(value);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("reason", out var reason)
                && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>POSTs to one api instance: 2xx ok, 4xx fail (definitely not done), timeout / reset / 5xx info (unknown).</summary>
    private async Task<HistoryEventType> PostAsync(string path, object body, long route, AuthenticationHeaderValue authorization, CancellationToken cancellationToken)
    {
        var apis = _sut.ApiUrls();
        var url = new Uri(apis[(int)(route % apis.Count)], path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = authorization;
            using var response = await _http.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => HistoryEventType.Ok,
                >= 400 and < 500 => HistoryEventType.Fail,
                _ => HistoryEventType.Info,
            };
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return HistoryEventType.Fail; // nothing listened: the request never reached the system
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return HistoryEventType.Info;
        }
    }

    /// <summary>GETs from the first api instance that answers (an instance may be down after faults); null on 404.</summary>
    private async Task<JsonElement?> GetAsync(string pathAndQuery, AuthenticationHeaderValue authorization, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var api in _sut.ApiUrls())
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api, pathAndQuery));
                request.Headers.Authorization = authorization;
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or IOException)
            {
                last = e;
            }
        }

        last ??= new HttpRequestException("the deployment has no api instance");
        throw new SystemReadException($"GET {pathAndQuery}: no api instance answered it ({last.Message})", last);
    }

    private static JsonElement Property(JsonElement json, string name, string what) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value)
            ? value
            : throw new SystemReadException($"{what}: no '{name}' in the answer");
}
