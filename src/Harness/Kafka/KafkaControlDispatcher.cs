using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Harness.Kafka;

/// <summary>Turns one control request line into a call on <see cref="IKafkaFaults"/> and one answer line.</summary>
internal sealed class KafkaControlDispatcher(IKafkaFaults faults, Action requestShutdown)
{
    public async Task<string> HandleAsync(string line, CancellationToken cancellationToken)
    {
        JsonObject answer;
        try
        {
            using var document = JsonDocument.Parse(line);
            var request = document.RootElement;
            if (request.ValueKind != JsonValueKind.Object)
            {
                throw new BadRequestException("A request is one JSON object per line.");
            }

            answer = await DispatchAsync(request, cancellationToken);
            answer["ok"] = true;
        }
        catch (JsonException e)
        {
            answer = Failure(KafkaControlProtocol.BadRequest, $"Not JSON: {e.Message}");
        }
        catch (BadRequestException e)
        {
            answer = Failure(KafkaControlProtocol.BadRequest, e.Message);
        }
        catch (ArgumentException e)
        {
            // The wire carries the bare message; the client's ArgumentException adds the name again.
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            answer = Failure(KafkaControlProtocol.InvalidArgument, message.ReplaceLineEndings(" "));
            answer["argument"] = e.ParamName;
        }
        catch (KafkaMockException e)
        {
            answer = Failure(KafkaControlProtocol.KafkaError, e.Message);
            if (e.Error is { } code)
            {
                answer["code"] = (int)code;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            answer = Failure(KafkaControlProtocol.InternalError, e.Message);
        }

        return answer.ToJsonString(KafkaControlProtocol.Json);
    }

    private static JsonObject Failure(string kind, string message) => new() { ["ok"] = false, ["error"] = kind, ["message"] = message };

    private async Task<JsonObject> DispatchAsync(JsonElement request, CancellationToken ct)
    {
        var op = request.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : throw new BadRequestException("A request names its \"op\".");
        switch (op)
        {
            case KafkaControlProtocol.Info:
                return new JsonObject { ["bootstrapServers"] = faults.BootstrapServers, ["brokerCount"] = faults.BrokerCount };
            case KafkaControlProtocol.CreateTopic:
                await faults.CreateTopicAsync(String(request, "topic"), Int(request, "partitions"), Int(request, "replicationFactor", 1), ct);
                break;
            case KafkaControlProtocol.BrokerDown:
                await faults.SetBrokerDownAsync(Int(request, "brokerId"), ct);
                break;
            case KafkaControlProtocol.BrokerUp:
                await faults.SetBrokerUpAsync(Int(request, "brokerId"), ct);
                break;
            case KafkaControlProtocol.SetRtt:
                await faults.SetRttAsync(Int(request, "brokerId"), Int(request, "rttMs"), ct);
                break;
            case KafkaControlProtocol.PushRequestErrors:
                await faults.PushRequestErrorsAsync(Enum<KafkaApiKey>(request, "apiKey"), Value<KafkaErrorCode[]>(request, "errors"), ct);
                break;
            case KafkaControlProtocol.PushBrokerRequestErrors:
                await faults.PushBrokerRequestErrorsAsync(Int(request, "brokerId"), Enum<KafkaApiKey>(request, "apiKey"), Value<MockRequestError[]>(request, "errors"), ct);
                break;
            case KafkaControlProtocol.ClearRequestErrors:
                await faults.ClearRequestErrorsAsync(Enum<KafkaApiKey>(request, "apiKey"), ct);
                break;
            case KafkaControlProtocol.SpareBroker:
                return new JsonObject { ["brokerId"] = await faults.SpareBrokerAsync(request.TryGetProperty("keepCoordinators", out _) ? Value<string[]>(request, "keepCoordinators") : [], ct) };
            case KafkaControlProtocol.PendingBrokerRequestErrors:
                return new JsonObject { ["count"] = await faults.PendingBrokerRequestErrorsAsync(Int(request, "brokerId"), Enum<KafkaApiKey>(request, "apiKey"), ct) };
            case KafkaControlProtocol.SetPartitionLeader:
                await faults.SetPartitionLeaderAsync(String(request, "topic"), Int(request, "partition"), Int(request, "brokerId"), ct);
                break;
            case KafkaControlProtocol.SetCoordinator:
                await faults.SetCoordinatorAsync(Enum<KafkaCoordinatorType>(request, "type"), String(request, "key"), Int(request, "brokerId"), ct);
                break;
            case KafkaControlProtocol.SetGroupInitialRebalanceDelay:
                await faults.SetGroupInitialRebalanceDelayAsync(Int(request, "delayMs"), ct);
                break;
            case KafkaControlProtocol.SetGroupConsumerSessionTimeout:
                await faults.SetGroupConsumerSessionTimeoutAsync(Int(request, "timeoutMs"), ct);
                break;
            case KafkaControlProtocol.SetGroupConsumerHeartbeatInterval:
                await faults.SetGroupConsumerHeartbeatIntervalAsync(Int(request, "intervalMs"), ct);
                break;
            case KafkaControlProtocol.Shutdown:
                requestShutdown();
                break;
            default:
                throw new BadRequestException($"Unknown op '{op}'.");
        }

        return [];
    }

    private static JsonElement Required(JsonElement request, string name) =>
        request.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new ArgumentException($"Missing \"{name}\".", name);

    private static int Int(JsonElement request, string name, int? fallback = null)
    {
        if (fallback is { } f && !request.TryGetProperty(name, out _))
        {
            return f;
        }

        var value = Required(request, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i)
            ? i
            : throw new ArgumentException($"\"{name}\" must be a 32-bit integer, not {value.GetRawText()}.", name);
    }

    private static string String(JsonElement request, string name)
    {
        var value = Required(request, name);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new ArgumentException($"\"{name}\" must be a string, not {value.GetRawText()}.", name);
    }

    private static T Enum<T>(JsonElement request, string name)
        where T : struct, Enum => Value<T>(request, name);

    private static T Value<T>(JsonElement request, string name)
    {
        var value = Required(request, name);
        try
        {
            return value.Deserialize<T>(KafkaControlProtocol.Json) ?? throw new ArgumentException($"Missing \"{name}\".", name);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"\"{name}\" is not valid: {value.GetRawText()} ({e.Message})", name, e);
        }
    }

    private sealed class BadRequestException(string message) : Exception(message);
}
