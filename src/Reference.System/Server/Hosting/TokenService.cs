using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chaos.Reference.Hosting;

/// <summary>HS256 tokens: issued by the api role, validated by the gateway at the WebSocket handshake. The signing key is SHA-256 of --jwt-key.</summary>
internal sealed class TokenService(SystemOptions options, TimeProvider time)
{
    public const string Issuer = "reference-system";
    public const string Audience = "reference-system";

    private readonly SymmetricSecurityKey _key = new(SHA256.HashData(Encoding.UTF8.GetBytes(options.JwtKey)));

    public (string Token, DateTimeOffset ExpiresAt) Issue(string user, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["sub"] = user },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime.AddSeconds(-1),
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = _key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.Zero,
        NameClaimType = "sub",
    };
}
