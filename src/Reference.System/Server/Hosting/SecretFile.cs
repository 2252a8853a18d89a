using System.Globalization;

namespace Chaos.Reference.Hosting;

/// <summary>
/// Reads a secret from a file that only its owner may read, as ssh does with private keys: a file any other user can
/// read (or write) is refused, so a key handed over out of band stays out of band. docs/security.md.
/// </summary>
internal static class SecretFile
{
    private const int MaxBytes = 4096;

    private const UnixFileMode OthersMayTouch =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static bool TryRead(string path, out string? value, out string problem)
    {
        value = null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                problem = $"'{path}' does not exist";
                return false;
            }

            if (!OperatingSystem.IsWindows() && (info.UnixFileMode & OthersMayTouch) != 0)
            {
                problem = $"'{path}' is open to other users (mode {Convert.ToString((int)info.UnixFileMode, 8).PadLeft(4, '0')}); chmod 600 it";
                return false;
            }

            if (info.Length > MaxBytes)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"'{path}' holds {info.Length} bytes; a key file holds at most {MaxBytes}");
                return false;
            }

            value = File.ReadAllText(path).Trim();
            problem = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read '{path}': {e.Message}";
            return false;
        }
    }
}
