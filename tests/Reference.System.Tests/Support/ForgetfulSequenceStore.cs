using Chaos.Reference.Client;

namespace Chaos.Reference.Tests.Support;

/// <summary>A store that loses every write (like an app whose storage failed): each resume starts from 0.</summary>
public sealed class ForgetfulSequenceStore : ISequenceStore
{
    public ValueTask<long> LoadAsync(string user, string device, CancellationToken cancellationToken) => ValueTask.FromResult(0L);

    public ValueTask SaveAsync(string user, string device, long sequence, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
