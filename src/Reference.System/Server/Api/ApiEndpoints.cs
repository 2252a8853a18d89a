using System.Globalization;
using System.Text.Json;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Storage;

namespace Chaos.Reference.Api;

/// <summary>The api role's HTTP surface. Writes are acknowledged only after their transaction committed (unless ack-before-persist).</summary>
internal static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/token", (HttpContext http, Store store, TokenService tokens, TimeProvider time, CancellationToken ct) => Guard(async () =>
        {
            var (root, _) = await RequestReader.ReadAsync(http.Request, ct);
            var user = RequestReader.RequiredString(root, "user", 128);
            var ttl = root.TryGetProperty("ttlSeconds", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt32() : 3600;
            if (ttl is < 1 or > 86_400)
            {
                throw new ApiError("field 'ttlSeconds' must be within 1..86400");
            }

            await store.RegisterUserAsync(user, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            var (token, expires) = tokens.Issue(user, TimeSpan.FromSeconds(ttl));
            return Results.Json(new { user, token, expiresAt = expires });
        }));

        app.MapPost("/messages", (HttpContext http, MessageWriter writer, CancellationToken ct) => Guard(async () =>
        {
            var (root, hash) = await RequestReader.ReadAsync(http.Request, ct);
            var key = RequestReader.IdempotencyKey(http.Request, root);
            var to = RequestReader.RequiredStringArray(root, "to");
            var body = RequestReader.RequiredString(root, "body", RequestReader.MaxPayloadBytes);
            return await writer.WriteAsync(http.Response, key, hash, RequestReader.OptionalString(root, "id", 128), "message",
                RequestReader.OptionalString(root, "from", 128), RequestReader.OptionalString(root, "conversation", 128), to, body, ct);
        }));

        app.MapPost("/notifications", (HttpContext http, MessageWriter writer, CancellationToken ct) => Guard(async () =>
        {
            var (root, hash) = await RequestReader.ReadAsync(http.Request, ct);
            var key = RequestReader.IdempotencyKey(http.Request, root);
            var to = RequestReader.RequiredString(root, "to", 128);
            var body = RequestReader.RequiredString(root, "body", RequestReader.MaxPayloadBytes);
            return await writer.WriteAsync(http.Response, key, hash, RequestReader.OptionalString(root, "id", 128), "notification", null, null, [to], body, ct);
        }));

        app.MapPost("/jobs", (HttpContext http, Store store, SystemOptions options, TimeProvider time, OutboxSignal signal, CancellationToken ct) => Guard(async () =>
        {
            var (root, hash) = await RequestReader.ReadAsync(http.Request, ct);
            var account = RequestReader.RequiredString(root, "account", 128);
            var amount = RequestReader.RequiredInteger(root, "amount");
            var transactionId = RequestReader.RequiredString(root, "transactionId", 128);
            // The transaction id is itself an idempotency key; an explicit key, when given, scopes retries of this request.
            var key = RequestReader.OptionalString(root, "idempotencyKey") is { } k ? k : http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } h ? h : "tx:" + transactionId;
            var job = new JobRecord(transactionId, account, amount, transactionId);
            var outcome = await store.CreateJobAsync(key, hash, job, time.GetUtcNow().ToUnixTimeMilliseconds(), options.Topics.Jobs, ct);
            signal.Wake();
            return outcome.Status switch
            {
                WriteStatus.Conflict => throw new ApiError(409, outcome.Result),
                WriteStatus.Replayed => Results.Text(WithDuplicate(outcome.Result, true), "application/json", statusCode: 200),
                _ => Results.Text(WithDuplicate(outcome.Result, false), "application/json", statusCode: 202),
            };
        }));

        app.MapGet("/users/{id}/inbox", (string id, long? after, int? limit, string? device, Store store, CancellationToken ct) => Guard(async () =>
        {
            var n = Math.Clamp(limit ?? 1000, 1, 10_000);
            var items = await store.ReadInboxAsync(id, Math.Max(0, after ?? 0), n, ct);
            var latest = await store.LatestSeqAsync(id, ct);
            return Results.Json(new
            {
                user = id,
                device,
                latestSeq = latest,
                items = items.Select(i => new { id = i.Id, seq = i.Seq, kind = i.Kind, sender = i.Sender, conversation = i.Conversation, payload = i.Payload, sentAt = i.SentAt }),
            });
        }));

        app.MapGet("/accounts/{id}", (string id, Store store, CancellationToken ct) => Guard(async () =>
            Results.Json(new { account = id, balance = await store.BalanceAsync(id, ct) ?? 0 })));

        app.MapGet("/jobs/{key}", (string key, Store store, CancellationToken ct) => Guard(async () =>
            await store.GetJobAsync(key, ct) is { } job ? Results.Json(job) : throw new ApiError(404, $"no job '{key}'")));

        app.MapGet("/dlq", (Store store, CancellationToken ct) => Guard(async () => Results.Json(await store.ReadDlqAsync(ct))));
    }

    private static string WithDuplicate(string resultJson, bool duplicate) =>
        resultJson.TrimEnd('}') + (duplicate ? ",\"duplicate\":true}" : ",\"duplicate\":false}");

    /// <summary>Turns an <see cref="ApiError"/> into its status with <c>{"error": "..."}</c>.</summary>
    public static async Task<IResult> Guard(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ApiError e)
        {
            return Results.Json(new { error = e.Message }, statusCode: e.Status);
        }
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
