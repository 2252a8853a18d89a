namespace Chaos.Reference.Client;

/// <summary>
/// Whether the device is suspended (a phone that put the app to sleep): while asleep, socket reads, writes and
/// reconnect attempts wait for <see cref="Wake"/>. Thread-safe.
/// </summary>
internal sealed class SleepGate
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _awake = Completed();

    public bool IsAsleep
    {
        get
        {
            lock (_gate)
            {
                return !_awake.Task.IsCompleted;
            }
        }
    }

    public void Sleep()
    {
        lock (_gate)
        {
            if (_awake.Task.IsCompleted)
            {
                _awake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Wake()
    {
        lock (_gate)
        {
            _awake.TrySetResult();
        }
    }

    /// <summary>Completes at once when awake, else when woken or cancelled.</summary>
    public Task WaitAwakeAsync(CancellationToken cancellationToken)
    {
        Task awake;
        lock (_gate)
        {
            awake = _awake.Task;
        }

        return awake.IsCompleted ? Task.CompletedTask : awake.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
