using System.Collections.Concurrent;

namespace Chaos.Reference.Client;

/// <summary>Keeps last sequences in memory: survives reconnects, not an app restart (unless the same instance is reused).</summary>
public sealed class InMemorySequenceStore : ISequenceStore
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
