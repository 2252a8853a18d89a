using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chaos.Reference.Hosting;

/// <summary>
/// HS256 user tokens: issued by the api role, checked by the api (sender, inbox owner) and by the gateway at the
/// WebSocket handshake. The signing key is SHA-256 of the JWT key (REFSYS_JWT_KEY). A token names its user in
/// <c>sub</c> and nothing else grants it anything: docs/security.md.
/// </summary>
internal sealed class TokenService(SystemOptions options, TimeProvider time)
{
    public const string Issuer = "reference-system";
    public const string Audience = "reference-system";

    /// <summary>The claim naming the token's user.</summary>
    public const string SubjectClaim = "sub";

    private readonly SymmetricSecurityKey _key = new(SHA256.HashData(Encoding.UTF8.GetBytes(
        options.JwtKey ?? throw new InvalidOperationException($"role {options.Role} holds no JWT key"))));

    public (string Token, DateTimeOffset ExpiresAt) Issue(string user, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { [SubjectClaim] = user },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime.AddSeconds(-1),
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    /// <summary>
    /// Signed (no <c>alg: none</c>), HS256 only (no algorithm confusion), our issuer and audience, a lifetime that
    /// has started and not ended with no clock skew, type JWT. Each is also a default of the handler; stated here so
    /// a change of defaults cannot loosen them, and proven by tests/Reference.System.Tests/Security.
    /// </summary>
    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidateIssuer = true,
        ValidIssuer = Issuer,
        ValidateAudience = true,
        ValidAudience = Audience,
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = _key,
        RequireSignedTokens = true,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.Zero,
        ValidTypes = ["JWT"],
        NameClaimType = SubjectClaim,
    };
}
