using System.Globalization;

namespace Chaos.Reference.Client;

/// <summary>
/// One small file per (user, device) in a folder, replaced atomically (write to a temp file, then rename), so a killed
/// app finds either the old or the new value, never a torn one.
/// </summary>
public sealed class FileSequenceStore(string directory) : ISequenceStore
{
    public async ValueTask<long> LoadAsync(string user, string device, CancellationToken cancellationToken)
    {
        var path = PathFor(user, device);
        if (!File.Exists(path))
        {
            return 0;
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    public async ValueTask SaveAsync(string user, string device, long sequence, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = PathFor(user, device);
        var temp = path + "." + Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        await File.WriteAllTextAsync(temp, sequence.ToString(CultureInfo.InvariantCulture), cancellationToken);
        File.Move(temp, path, overwrite: true);
    }

    private string PathFor(string user, string device) =>
        Path.Combine(directory, $"{Uri.EscapeDataString(user)}__{Uri.EscapeDataString(device)}.seq");
}
