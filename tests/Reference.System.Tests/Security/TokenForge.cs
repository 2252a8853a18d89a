using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chaos.Reference.Tests.Security;

/// <summary>Makes the tokens an attacker would try: wrong key, no signature, wrong issuer or audience, out of date, ...</summary>
internal static class TokenForge
{
    public const string Issuer = "reference-system";

    /// <summary>A token signed with SHA-256(<paramref name="key"/>), as the system signs, with every field overridable.</summary>
    public static string Signed(
        string key,
        string? subject,
        DateTime? notBefore = null,
        DateTime? expires = null,
        string issuer = Issuer,
        string audience = Issuer,
        string algorithm = SecurityAlgorithms.HmacSha256,
        string? type = null,
        bool withExpiry = true,
        IDictionary<string, object>? extraClaims = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>(extraClaims ?? new Dictionary<string, object>());
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        // HS384/HS512 need longer keys; the same secret stretched, so only the algorithm differs from a valid token
        var signing = new SymmetricSecurityKey(algorithm == SecurityAlgorithms.HmacSha256 ? bytes : [.. bytes, .. bytes]);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = notBefore ?? now.AddMinutes(-1),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = withExpiry ? expires ?? now.AddMinutes(10) : null,
            TokenType = type,
            SigningCredentials = new SigningCredentials(signing, algorithm),
        });
    }

    /// <summary><c>alg: none</c>: header and claims of a valid token, no signature.</summary>
    public static string Unsigned(string subject)
    {
        var now = DateTimeOffset.UtcNow;
        var header = """{"alg":"none","typ":"JWT"}""";
        var payload = $$"""{"sub":"{{subject}}","iss":"{{Issuer}}","aud":"{{Issuer}}","nbf":{{now.AddMinutes(-1).ToUnixTimeSeconds()}},"exp":{{now.AddMinutes(10).ToUnixTimeSeconds()}}}""";
        return $"{Encode(header)}.{Encode(payload)}.";
    }

    /// <summary>A valid token whose signature was replaced (its claims changed to another user after signing).</summary>
    public static string Tampered(string validToken, string otherSubject)
    {
        var parts = validToken.Split('.');
        var claims = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"sub\":\"", $"\"sub\":\"{otherSubject}", StringComparison.Ordinal);
        return $"{parts[0]}.{Encode(claims)}.{parts[2]}";
    }

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
