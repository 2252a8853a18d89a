using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using WsChat.Server;

// The wschat sample system (samples/wschat/README.md). Arguments: --urls http://127.0.0.1:PORT --kafka BOOTSTRAP
// --data DIR [--session-timeout-ms N] [--defect last-device-wins|dedupe-not-rebuilt]; environment: WSCHAT_SECRET (signs user tokens),
// WSCHAT_SERVICE_KEY (the back end's key for notifications).
var options = ServerOptions.Parse(args);
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WireContext.Default));
var journal = new InboxJournal(options.Data, rebuildIds: !options.Defects.Contains("dedupe-not-rebuilt"));
var devices = new Devices(journal, options.Defects.Contains("last-device-wins"));
var tokens = new Tokens(Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable("WSCHAT_SECRET") ?? throw new InvalidOperationException("WSCHAT_SECRET is not set")));
var serviceKey = Environment.GetEnvironmentVariable("WSCHAT_SERVICE_KEY") ?? throw new InvalidOperationException("WSCHAT_SERVICE_KEY is not set");
builder.Services.AddSingleton(options).AddSingleton(journal).AddSingleton(devices).AddSingleton<InboxConsumer>();
builder.Services.AddHostedService(s => s.GetRequiredService<InboxConsumer>());
var app = builder.Build();
using var producer = new ProducerBuilder<string, string>(new ProducerConfig
{
    BootstrapServers = options.Kafka,
    EnableIdempotence = true,
    Acks = Acks.All,
    LingerMs = 2,
    MessageTimeoutMs = 4_000,
}).Build();

app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(2), KeepAliveTimeout = TimeSpan.FromSeconds(8) });
app.MapGet("/ready", () => Results.Ok());
app.MapGet("/assigned", (InboxConsumer consumer) => consumer.Partitions > 0 ? Results.Ok() : Results.StatusCode(503));

// a chat message: as its sender (the token's user), to each recipient's inbox; 200 once Kafka holds every copy
app.MapPost("/messages", async (HttpRequest request, WireSend send, CancellationToken ct) =>
    tokens.UserOf(request) is not { } user || user != send.From
        ? Results.StatusCode(403)
        : await ProduceAsync(send.Id, send.From, send.To, ct));

// a notification: from the back end (its service key), to each recipient's inbox
app.MapPost("/notifications", async (HttpRequest request, WireSend send, CancellationToken ct) =>
    request.Headers["X-Service-Key"].ToString() != serviceKey
        ? Results.StatusCode(403)
        : await ProduceAsync(send.Id, "system", send.To, ct));

// the owner's inbox after a sequence, in order; nobody else's
app.MapGet("/inbox/{user}", (HttpRequest request, string user, long? after) =>
    tokens.UserOf(request) != user
        ? Results.StatusCode(403)
        : Results.Ok(journal.After(user, after ?? 0).Select(e => new WireEntry(e.Seq, e.Id, e.From)).ToList()));

app.Map("/ws", async (HttpContext context, string? device, long? after) =>
{
    if (!context.WebSockets.IsWebSocketRequest || device is not { Length: > 0 } || tokens.UserOf(context.Request) is not { } user)
    {
        context.Response.StatusCode = context.WebSockets.IsWebSocketRequest ? 403 : 400;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await devices.ServeAsync(socket, user, device, Math.Max(0, after ?? 0), context.RequestAborted);
});

await app.RunAsync();
journal.Dispose();

async Task<IResult> ProduceAsync(string id, string from, IReadOnlyList<string> to, CancellationToken ct)
{
    if (string.IsNullOrEmpty(id) || to.Count == 0)
    {
        return Results.BadRequest();
    }

    try
    {
        // keyed by recipient: one user's messages stay in one partition, in order
        await Task.WhenAll(to.Select(recipient => producer.ProduceAsync(
            ServerOptions.Topic,
            new Message<string, string> { Key = recipient, Value = JsonSerializer.Serialize(new WireMessage(id, from), WireContext.Default.WireMessage) },
            ct)));
        return Results.Ok();
    }
    catch (ProduceException<string, string> e)
    {
        // maybe written, maybe not (a timed-out record may still land): the sender cannot tell
        app.Logger.LogWarning("produce {Id}: {Reason}", id, e.Error.Reason);
        return Results.StatusCode(503);
    }
}

namespace WsChat.Server
{
    /// <summary>The command line of one server process.</summary>
    public sealed record ServerOptions(string Kafka, string Data, int SessionTimeoutMs, IReadOnlyList<string> Defects)
    {
        /// <summary>The messages topic; keyed by recipient.</summary>
        public const string Topic = "wschat.messages";

        /// <summary>The consumer group that writes the inboxes.</summary>
        public const string Group = "wschat-inbox";

        /// <summary>The defect switches (samples/wschat/README.md).</summary>
        public static readonly IReadOnlyList<string> KnownDefects = ["last-device-wins", "dedupe-not-rebuilt"];

        public static ServerOptions Parse(string[] args)
        {
            string? kafka = null;
            string? data = null;
            var session = 6_000;
            var defects = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--kafka": kafka = Next(); break;
                    case "--data": data = Next(); break;
                    case "--session-timeout-ms": session = int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                    case "--defect":
                        var defect = Next();
                        defects.Add(KnownDefects.Contains(defect) ? defect : throw new ArgumentException($"--defect {defect}: not a defect (known: {string.Join(", ", KnownDefects)})"));
                        break;
                    case "--urls": i++; break; // ASP.NET's own
                    default: throw new ArgumentException($"{args[i]}: not an option");
                }
            }

            return new ServerOptions(kafka ?? throw new ArgumentException("--kafka is required"), data ?? throw new ArgumentException("--data is required"), session, defects);
        }
    }

    /// <summary>A send as the api takes it.</summary>
    public sealed record WireSend(string Id, string From, IReadOnlyList<string> To);

    /// <summary>A record of the messages topic (its key is the recipient).</summary>
    public sealed record WireMessage(string Id, string From);

    /// <summary>An inbox entry as the api returns it.</summary>
    public sealed record WireEntry(long Seq, string Id, string From);

    [JsonSerializable(typeof(WireSend))]
    [JsonSerializable(typeof(WireMessage))]
    [JsonSerializable(typeof(List<WireEntry>))]
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    internal sealed partial class WireContext : JsonSerializerContext;
}
