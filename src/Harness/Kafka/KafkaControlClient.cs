using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Harness.Kafka;

/// <summary>
/// Client of the control channel of <c>chaos kafka</c>. Each call opens a loopback connection,
/// sends one request line and reads one answer; refusals come back as the same exceptions
/// <see cref="MockCluster"/> throws in-process (<see cref="ArgumentException"/> naming the argument,
/// <see cref="KafkaMockException"/>).
/// </summary>
public sealed class KafkaControlClient : IKafkaFaults
{
    private readonly IPEndPoint endpoint;

    private KafkaControlClient(IPEndPoint endpoint, string bootstrapServers, int brokerCount)
    {
        this.endpoint = endpoint;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
    }

    /// <inheritdoc />
    public string BootstrapServers { get; }

    /// <inheritdoc />
    public int BrokerCount { get; }

    /// <summary>The control endpoint this client talks to.</summary>
    public IPEndPoint Endpoint => endpoint;

    /// <summary>Connects to a host's control channel (loopback only) and reads its cluster's facts.</summary>
    public static async Task<KafkaControlClient> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!IPAddress.IsLoopback(endpoint.Address))
        {
            throw new ArgumentException($"The control channel is loopback-only; {endpoint} is not.", nameof(endpoint));
        }

        var info = await SendAsync(endpoint, new JsonObject { ["op"] = KafkaControlProtocol.Info }, cancellationToken);
        return new KafkaControlClient(endpoint, info.GetProperty("bootstrapServers").GetString()!, info.GetProperty("brokerCount").GetInt32());
    }

    /// <summary>Asks the host to destroy its cluster and exit.</summary>
    public Task ShutdownAsync(CancellationToken cancellationToken = default) => Send(new() { ["op"] = KafkaControlProtocol.Shutdown }, cancellationToken);

    /// <summary>Sends one raw request object and returns the answer; refusals throw.</summary>
    public async Task<JsonElement> SendAsync(JsonObject request, CancellationToken cancellationToken = default) =>
        await SendAsync(endpoint, request, cancellationToken);

    /// <inheritdoc />
    public ValueTask CreateTopicAsync(string topic, int partitions, int replicationFactor, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.CreateTopic, ["topic"] = topic, ["partitions"] = partitions, ["replicationFactor"] = replicationFactor }, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetBrokerDownAsync(int brokerId, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.BrokerDown, ["brokerId"] = brokerId }, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetBrokerUpAsync(int brokerId, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.BrokerUp, ["brokerId"] = brokerId }, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetRttAsync(int brokerId, int rttMs, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.SetRtt, ["brokerId"] = brokerId, ["rttMs"] = rttMs }, cancellationToken));

    /// <inheritdoc />
    public ValueTask PushRequestErrorsAsync(KafkaApiKey apiKey, IReadOnlyList<KafkaErrorCode> errors, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.PushRequestErrors, ["apiKey"] = Node(apiKey), ["errors"] = Node(errors) }, cancellationToken));

    /// <inheritdoc />
    public ValueTask PushBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, IReadOnlyList<MockRequestError> errors, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.PushBrokerRequestErrors, ["brokerId"] = brokerId, ["apiKey"] = Node(apiKey), ["errors"] = Node(errors) }, cancellationToken));

    /// <inheritdoc />
    public ValueTask ClearRequestErrorsAsync(KafkaApiKey apiKey, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.ClearRequestErrors, ["apiKey"] = Node(apiKey) }, cancellationToken));

    /// <inheritdoc />
    public async ValueTask<int> SpareBrokerAsync(IReadOnlyList<string> keepCoordinators, CancellationToken cancellationToken = default) =>
        (await SendAsync(endpoint, new() { ["op"] = KafkaControlProtocol.SpareBroker, ["keepCoordinators"] = Node(keepCoordinators) }, cancellationToken)).GetProperty("brokerId").GetInt32();

    /// <inheritdoc />
    public async ValueTask<int> PendingBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, CancellationToken cancellationToken = default) =>
        (await SendAsync(endpoint, new() { ["op"] = KafkaControlProtocol.PendingBrokerRequestErrors, ["brokerId"] = brokerId, ["apiKey"] = Node(apiKey) }, cancellationToken)).GetProperty("count").GetInt32();

    /// <inheritdoc />
    public ValueTask SetPartitionLeaderAsync(string topic, int partition, int brokerId, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.SetPartitionLeader, ["topic"] = topic, ["partition"] = partition, ["brokerId"] = brokerId }, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetCoordinatorAsync(KafkaCoordinatorType type, string key, int brokerId, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.SetCoordinator, ["type"] = Node(type), ["key"] = key, ["brokerId"] = brokerId }, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetGroupInitialRebalanceDelayAsync(int delayMs, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.SetGroupInitialRebalanceDelay, ["delayMs"] = delayMs }, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetGroupConsumerSessionTimeoutAsync(int timeoutMs, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.SetGroupConsumerSessionTimeout, ["timeoutMs"] = timeoutMs }, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetGroupConsumerHeartbeatIntervalAsync(int intervalMs, CancellationToken cancellationToken = default) =>
        new(Send(new() { ["op"] = KafkaControlProtocol.SetGroupConsumerHeartbeatInterval, ["intervalMs"] = intervalMs }, cancellationToken));

    private static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, KafkaControlProtocol.Json);

    private Task Send(JsonObject request, CancellationToken cancellationToken) => SendAsync(endpoint, request, cancellationToken);

    private static async Task<JsonElement> SendAsync(IPEndPoint endpoint, JsonObject request, CancellationToken cancellationToken)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(endpoint, cancellationToken);
        var stream = client.GetStream();
        var line = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
        await stream.WriteAsync(line, cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 4096, leaveOpen: true);
        var answerLine = await reader.ReadLineAsync(cancellationToken)
            ?? throw new IOException($"The Kafka host at {endpoint} closed the control connection without answering.");
        using var document = JsonDocument.Parse(answerLine);
        var answer = document.RootElement.Clone();
        if (answer.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
        {
            return answer;
        }

        var kind = answer.TryGetProperty("error", out var e) ? e.GetString() : null;
        var message = answer.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : answerLine;
        switch (kind)
        {
            case KafkaControlProtocol.InvalidArgument:
                // Rethrown as the in-process type; the message already names the argument.
                var argument = answer.TryGetProperty("argument", out var a) ? a.GetString() : null;
                throw new ArgumentException(StripParamSuffix(message, argument), argument);
            case KafkaControlProtocol.KafkaError when answer.TryGetProperty("code", out var code):
                throw new KafkaMockException(message, (KafkaErrorCode)code.GetInt32());
            default:
                throw new KafkaMockException($"The Kafka host refused {request["op"]}: {kind}: {message}");
        }
    }

    // ArgumentException.Message carries " (Parameter 'x')"; the rebuilt exception adds it again.
    private static string StripParamSuffix(string message, string? argument)
    {
        return argument is null ? message : message.Replace($" (Parameter '{argument}')", string.Empty, StringComparison.Ordinal);
    }
}
