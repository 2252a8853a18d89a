using System.Collections.Concurrent;

namespace Chaos.Harness.Devices;

/// <summary>Positions in the harness's memory: they survive an app restart within the run (the app's storage is not what is under test).</summary>
internal sealed class MemoryPositionStore : IDevicePositionStore
{
    private readonly ConcurrentDictionary<(string, string), long> _values = new();

    public ValueTask<long> LoadAsync(string user, string device, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_values.GetValueOrDefault((user, device)));

    public ValueTask SaveAsync(string user, string device, long sequence, CancellationToken cancellationToken)
    {
        _values.AddOrUpdate((user, device), sequence, (_, old) => Math.Max(old, sequence));
        return ValueTask.CompletedTask;
    }
}
