using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Chaos.Harness.Devices;

/// <summary>
/// One small file per (user, device) in a folder. A save overwrites the file's one fixed-width record (20 digits) in
/// place with a single positioned write on a handle kept open per device: a killed app finds the old or the new value,
/// never a torn one (the write is one call of 20 bytes within one page), and a save costs one system call instead of a
/// create, a write and a rename — a phone app saves on every message, and a run has a thousand of them.
/// </summary>
public sealed class FilePositionStore(string directory) : IDevicePositionStore, IDisposable
{
    private const int Width = 20; // long.MaxValue has 19 digits
    private readonly ConcurrentDictionary<string, SafeFileHandle> _handles = new(StringComparer.Ordinal);

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

    public ValueTask SaveAsync(string user, string device, long sequence, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        cancellationToken.ThrowIfCancellationRequested();
        var handle = _handles.GetOrAdd(PathFor(user, device), path =>
        {
            Directory.CreateDirectory(directory);
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        });
        Span<byte> record = stackalloc byte[Width];
        sequence.TryFormat(record, out _, "D20", CultureInfo.InvariantCulture);
        RandomAccess.Write(handle, record, 0);
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the files kept open for saving (what was saved stays).</summary>
    public void Dispose()
    {
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }

    private string PathFor(string user, string device) =>
        Path.Combine(directory, $"{Uri.EscapeDataString(user)}__{Uri.EscapeDataString(device)}.seq");
}
