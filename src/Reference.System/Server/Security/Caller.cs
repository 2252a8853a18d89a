using Chaos.Reference.Api;
using Chaos.Reference.Hosting;
using Microsoft.AspNetCore.Authentication;

namespace Chaos.Reference.Security;

/// <summary>Who is calling, for the handlers whose rule depends on it (sender, inbox owner, login).</summary>
internal static class Caller
{
    /// <summary>The user the request's token names (the route's policy has already checked the token).</summary>
    public static string Subject(HttpContext http) =>
        http.User.FindFirst(TokenService.SubjectClaim)?.Value is { Length: > 0 } user ? user : throw new ApiError(401, "a user token is required");

    /// <summary>True when the request carries the admin key; a wrong admin key is refused (401), not ignored.</summary>
    public static async Task<bool> IsAdminAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(AdminKeyHandler.SchemeName);
        return result.Succeeded || (result.Failure is not null ? throw new ApiError(401, "invalid admin key") : false);
    }
}
