using System.Collections.Concurrent;

namespace Chaos.Harness.Devices;

/// <summary>
/// Persists a device's position only every Nth save, as apps batch such writes: a resume from it replays the frames
/// handled since the last write, which the client must recognise as redelivered and drop.
/// </summary>
internal sealed class WriteBehindPositionStore(IDevicePositionStore inner, int every) : IDevicePositionStore
{
    private readonly ConcurrentDictionary<(string, string), long> _saves = new();

    public ValueTask<long> LoadAsync(string user, string device, CancellationToken cancellationToken) =>
        inner.LoadAsync(user, device, cancellationToken);

    public ValueTask SaveAsync(string user, string device, long sequence, CancellationToken cancellationToken)
    {
        var count = _saves.AddOrUpdate((user, device), 1, (_, n) => n + 1);
        return count % every == 0 ? inner.SaveAsync(user, device, sequence, cancellationToken) : ValueTask.CompletedTask;
    }
}
