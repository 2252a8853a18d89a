namespace Chaos.Reference.Api;

/// <summary>Wakes the local outbox relay right after a local commit, so publishing does not wait for the next poll.</summary>
internal sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
