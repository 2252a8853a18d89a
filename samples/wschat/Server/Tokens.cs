using System.Security.Cryptography;
using System.Text;

namespace WsChat.Server;

/// <summary>
/// A user's bearer token: <c>user.signature</c>, the signature an HMAC-SHA256 of the user under the deployment's secret
/// (<c>WSCHAT_SECRET</c>). Whoever holds a user's token acts as that user: sends as them, reads their inbox, connects
/// their devices; nobody else can.
/// </summary>
public sealed class Tokens(byte[] secret)
{
    /// <summary>The token for <paramref name="user"/>.</summary>
    public string Issue(string user) => $"{user}.{Convert.ToHexString(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(user)))}";

    /// <summary>The user a well-signed token names; null for anything else.</summary>
    public string? UserOf(string? token)
    {
        var dot = token?.LastIndexOf('.') ?? -1;
        if (token is null || dot <= 0)
        {
            return null;
        }

        var user = token[..dot];
        var expected = Encoding.ASCII.GetBytes(Issue(user));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token)) ? user : null;
    }

    /// <summary>The user of the request's <c>Authorization: Bearer</c> token; null when absent or forged.</summary>
    public string? UserOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? UserOf(header["Bearer ".Length..]) : null;
    }
}
