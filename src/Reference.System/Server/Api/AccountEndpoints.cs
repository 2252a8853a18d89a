using Chaos.Reference.Hosting;
using Chaos.Reference.Security;
using Chaos.Reference.Storage;

namespace Chaos.Reference.Api;

/// <summary>
/// Accounts and tokens (docs/security.md). <c>POST /users</c> (admin key) registers a user and issues its secret;
/// <c>POST /token</c> issues a user token to the admin key (which registers the user, as the harness does for every
/// user of a run) or to the user's own secret. Nothing else issues a token.
/// </summary>
internal static class AccountEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/users", (HttpContext http, Store store, TimeProvider time, CancellationToken ct) => ApiEndpoints.Guard(async () =>
        {
            var (root, _) = await RequestReader.ReadAsync(http.Request, ct);
            var user = RequestReader.RequiredUserId(root, "user");
            var secret = UserSecrets.Generate();
            var created = await store.RegisterWithSecretAsync(user, UserSecrets.Hash(secret), time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            return Results.Json(new { user, secret }, statusCode: created ? 201 : 200);
        })).RequireAuthorization(AccessPolicies.Admin);

        app.MapPost("/token", (HttpContext http, Store store, TokenService tokens, TimeProvider time, ILoggerFactory logs, CancellationToken ct) => ApiEndpoints.Guard(async () =>
        {
            var admin = await Caller.IsAdminAsync(http);
            var (root, _) = await RequestReader.ReadAsync(http.Request, ct);
            var user = RequestReader.RequiredUserId(root, "user");
            var ttl = RequestReader.OptionalInteger(root, "ttlSeconds", 1, 86_400) ?? 3600;
            if (admin)
            {
                await store.RegisterUserAsync(user, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            }
            else
            {
                var secret = RequestReader.OptionalString(root, "secret");
                if (!UserSecrets.Matches(secret, secret is null ? null : await store.SecretHashAsync(user, ct)))
                {
                    SecurityLog.LoginRefused(logs.CreateLogger(typeof(AccessPolicies).Namespace!), user, secret is null ? "no secret and no admin key" : "wrong secret or no such user");
                    throw new ApiError(401, "a token needs the admin key (Authorization: AdminKey ...) or the user's secret ('secret')");
                }
            }

            var (token, expires) = tokens.Issue(user, TimeSpan.FromSeconds(ttl));
            return Results.Json(new { user, token, expiresAt = expires });
        })).AllowAnonymous();
    }
}
