using System.Security.Cryptography;
using System.Text;

namespace Chaos.Reference.Security;

/// <summary>
/// The admin key this process was given (REFSYS_ADMIN_KEY or --admin-key-file). Only its SHA-256 is kept, and a
/// presented key is compared hash to hash in constant time, so neither its length nor its prefix leaks by timing.
/// </summary>
internal sealed class AdminKey(string key)
{
    private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _hash);
}
