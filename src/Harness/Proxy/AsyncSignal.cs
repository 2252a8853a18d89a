namespace Chaos.Harness.Proxy;

/// <summary>A level-less "something changed" signal: each <see cref="Notify"/> completes the current task and arms a new one.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/>. Take it before reading the state it guards.</summary>
    public Task WhenNotified => Volatile.Read(ref _current).Task;

    public void Notify()
    {
        var previous = Interlocked.Exchange(
            ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
