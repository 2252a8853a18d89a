using System.Globalization;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Security;
using Chaos.Reference.Storage;

namespace Chaos.Reference.Api;

/// <summary>
/// The api role's HTTP surface. Writes are acknowledged only after their transaction committed (unless
/// ack-before-persist). Every endpoint states who may call it (docs/security.md).
/// </summary>
internal static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        AccountEndpoints.Map(app);

        // The sender is the token's user: a 'from' naming anyone else is refused, and idempotency keys are scoped per
        // sender, so one user's key never replays or blocks another's request.
        app.MapPost("/messages", (HttpContext http, MessageWriter writer, CancellationToken ct) => Guard(async () =>
        {
            var sender = Caller.Subject(http);
            var (root, hash) = await RequestReader.ReadAsync(http.Request, ct);
            var key = RequestReader.IdempotencyKey(http.Request, root);
            var to = RequestReader.RequiredUserIds(root, "to");
            var body = RequestReader.RequiredString(root, "body", RequestReader.MaxPayloadBytes);
            if (RequestReader.OptionalUserId(root, "from") is { } from && from != sender)
            {
                throw new ApiError(403, $"field 'from' must be the token's user ('{sender}')");
            }

            return await writer.WriteAsync(http.Response, sender + "/" + key, hash, RequestReader.OptionalId(root, "id"), "message",
                sender, RequestReader.OptionalId(root, "conversation"), to, body, ct);
        })).RequireAuthorization(AccessPolicies.User);

        // Notifications come from back-end services, not from users: the admin key.
        app.MapPost("/notifications", (HttpContext http, MessageWriter writer, CancellationToken ct) => Guard(async () =>
        {
            var (root, hash) = await RequestReader.ReadAsync(http.Request, ct);
            var key = RequestReader.IdempotencyKey(http.Request, root);
            var to = RequestReader.RequiredUserId(root, "to");
            var body = RequestReader.RequiredString(root, "body", RequestReader.MaxPayloadBytes);
            return await writer.WriteAsync(http.Response, key, hash, RequestReader.OptionalId(root, "id"), "notification", null, null, [to], body, ct);
        })).RequireAuthorization(AccessPolicies.Admin);

        // Crediting an account is a back-office operation (accounts belong to no user here): the admin key.
        app.MapPost("/jobs", (HttpContext http, Store store, SystemOptions options, TimeProvider time, OutboxSignal signal, CancellationToken ct) => Guard(async () =>
        {
            var (root, hash) = await RequestReader.ReadAsync(http.Request, ct);
            var account = RequestReader.RequiredId(root, "account");
            var amount = RequestReader.RequiredInteger(root, "amount");
            var transactionId = RequestReader.RequiredId(root, "transactionId");
            // The transaction id is itself an idempotency key; an explicit key, when given, scopes retries of this request.
            var key = RequestReader.OptionalIdempotencyKey(http.Request, root) is { Length: > 0 } k ? k : "tx:" + transactionId;
            var job = new JobRecord(transactionId, account, amount, transactionId);
            var outcome = await store.CreateJobAsync(key, hash, job, time.GetUtcNow().ToUnixTimeMilliseconds(), options.Topics.Jobs, ct);
            signal.Wake();
            return outcome.Status switch
            {
                WriteStatus.Conflict => throw new ApiError(409, outcome.Result),
                WriteStatus.Replayed => Results.Text(WithDuplicate(outcome.Result, true), "application/json", statusCode: 200),
                _ => Results.Text(WithDuplicate(outcome.Result, false), "application/json", statusCode: 202),
            };
        })).RequireAuthorization(AccessPolicies.Admin);

        app.MapGet("/users/{id}/inbox", (string id, HttpContext http, Store store, CancellationToken ct) => Guard(async () =>
        {
            if (id != Caller.Subject(http))
            {
                throw new ApiError(403, "an inbox is readable only by its owner");
            }

            var after = RequestReader.QueryInteger(http.Request, "after", 0);
            var n = (int)Math.Clamp(RequestReader.QueryInteger(http.Request, "limit", 1000), 1, 10_000);
            var device = RequestReader.QueryName(http.Request, "device");
            var items = await store.ReadInboxAsync(id, Math.Max(0, after), n, ct);
            var latest = await store.LatestSeqAsync(id, ct);
            return Results.Json(new
            {
                user = id,
                device,
                latestSeq = latest,
                items = items.Select(i => new { id = i.Id, seq = i.Seq, kind = i.Kind, sender = i.Sender, conversation = i.Conversation, payload = i.Payload, sentAt = i.SentAt }),
            });
        })).RequireAuthorization(AccessPolicies.User);

        app.MapGet("/accounts/{id}", (string id, Store store, CancellationToken ct) => Guard(async () =>
            Results.Json(new { account = id, balance = await store.BalanceAsync(id, ct) ?? 0 }))).RequireAuthorization(AccessPolicies.Admin);

        app.MapGet("/jobs/{key}", (string key, Store store, CancellationToken ct) => Guard(async () =>
            await store.GetJobAsync(key, ct) is { } job ? Results.Json(job) : throw new ApiError(404, $"no job '{key}'"))).RequireAuthorization(AccessPolicies.Admin);

        app.MapGet("/dlq", (Store store, CancellationToken ct) => Guard(async () => Results.Json(await store.ReadDlqAsync(ct)))).RequireAuthorization(AccessPolicies.Admin);
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
