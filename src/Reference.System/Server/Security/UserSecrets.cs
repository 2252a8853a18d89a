using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Chaos.Reference.Security;

/// <summary>
/// A user's own credential: 256 random bits the system generates at registration (POST /users) and shows once. Only
/// its SHA-256 is stored. A generated secret of that strength needs no slow password hash — that is for secrets people
/// choose — so a login costs one hash, and a flood of logins costs the server nothing worth attacking.
/// </summary>
internal static class UserSecrets
{
    /// <summary>What a missing or unknown user's secret is compared against, so a refusal takes the same time either way.</summary>
    private static readonly string Nothing = Hash(Generate());

    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>True when <paramref name="secret"/> hashes to <paramref name="storedHash"/>; false when either is missing.</summary>
    public static bool Matches(string? secret, string? storedHash)
    {
        var presented = Encoding.ASCII.GetBytes(Hash(secret ?? ""));
        var stored = Encoding.ASCII.GetBytes(storedHash ?? Nothing);
        return CryptographicOperations.FixedTimeEquals(presented, stored) && secret is not null && storedHash is not null;
    }
}
