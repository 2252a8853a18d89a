using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Chaos.Harness.Api;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.History;
using Confluent.Kafka;

namespace WsChat.Adapter;

/// <summary>
/// The wschat system's api as the workload drives it: <c>POST /messages</c> with the sender's token,
/// <c>POST /notifications</c> with the service key, <c>GET /inbox/{user}</c> with the owner's token. A 2xx is done,
/// a 4xx definitely not done, and anything else (a 5xx, a timeout, a cut connection) unknown; a refused connection
/// never reached the system, so it is not done.
/// </summary>
public sealed class WsChatApi : ISystemApi, IDisposable
{
    private readonly WsChatDeployment _deployment;
    private readonly byte[] _secret;
    private readonly string _serviceKey;
    private readonly HttpClient _http;

    public WsChatApi(WsChatDeployment deployment, string secret, string serviceKey, TimeSpan requestTimeout)
    {
        _deployment = deployment;
        _secret = Encoding.UTF8.GetBytes(secret);
        _serviceKey = serviceKey;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = deployment.Chat.Endpoint,
            Timeout = requestTimeout,
        };
    }

    /// <summary>The system signs its tokens with the deployment's secret, which the adapter made: it signs them the same way.</summary>
    public Task<string> IssueTokenAsync(string user, CancellationToken cancellationToken) =>
        Task.FromResult($"{user}.{Convert.ToHexString(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(user)))}");

    public Task<HistoryEventType> SendMessageAsync(ChatMessage message, string senderToken, long route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = new HttpRequestMessage(HttpMethod.Post, "/messages") { Content = JsonContent.Create(new { id = message.Id, from = message.From, to = message.To }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", senderToken);
        return OutcomeAsync(request, cancellationToken);
    }

    public Task<HistoryEventType> SendNotificationAsync(Notification notification, long route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var request = new HttpRequestMessage(HttpMethod.Post, "/notifications") { Content = JsonContent.Create(new { id = notification.Id, from = "system", to = new[] { notification.To } }) };
        request.Headers.Add("X-Service-Key", _serviceKey);
        return OutcomeAsync(request, cancellationToken);
    }

    public Task<HistoryEventType> SubmitJobAsync(JobSubmission job, long route, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the wschat system runs no jobs (it lacks the 'jobs' capability)");

    public async Task<long> InboxHeadAsync(string user, string ownerToken, CancellationToken cancellationToken)
    {
        var items = await ReadInboxAsync(user, "head", ownerToken, cancellationToken);
        return items.Count == 0 ? 0 : items[^1].Seq;
    }

    public async Task<IReadOnlyList<SyncItem>> ReadInboxAsync(string user, string device, string ownerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/inbox/{Uri.EscapeDataString(user)}?after=0");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ownerToken);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var entries = await response.Content.ReadFromJsonAsync<List<Entry>>(cancellationToken) ?? throw new SystemReadException($"inbox of {user}: an empty answer");
            return [.. entries.Select(e => new SyncItem(e.Id, e.Seq))];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            throw new SystemReadException($"inbox of {user}: {e.Message}", e);
        }
    }

    public Task<JobReport?> ReadJobAsync(string id, CancellationToken cancellationToken) => Task.FromResult<JobReport?>(null);

    public Task<DeadLettersValue?> ReadDeadLettersAsync(CancellationToken cancellationToken) => Task.FromResult<DeadLettersValue?>(null);

    public Task<decimal> ReadBalanceAsync(string account, CancellationToken cancellationToken) =>
        throw new SystemReadException($"the wschat system keeps no accounts (asked for {account})");

    public async Task<bool> ConsumersAssignedAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("/assigned", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<ConsumerLag>> ConsumerLagAsync(CancellationToken cancellationToken)
    {
        try
        {
            var bootstrap = _deployment.Kafka.BootstrapServers;
            return await Task.Run(
                () => _deployment.Kafka.ConsumerGroups.Select(g => new ConsumerLag(g.Group, g.Topic, GroupOffsets.Lag(bootstrap, g.Group, g.Topic))).ToList(),
                cancellationToken);
        }
        catch (KafkaException e)
        {
            throw new SystemReadException($"consumer lag unreadable: {e.Error.Reason}", e);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HistoryEventType> OutcomeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300 ? HistoryEventType.Ok
                : status is >= 400 and < 500 ? HistoryEventType.Fail
                : HistoryEventType.Info;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return HistoryEventType.Fail;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return HistoryEventType.Info;
        }
        finally
        {
            request.Dispose();
        }
    }

    private sealed record Entry(long Seq, string Id, string From);
}
