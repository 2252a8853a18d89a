using Chaos.Harness.History;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Load;

/// <summary>
/// A fan-out spike: <c>messages</c> chat messages, each to every user at once (an all-hands conversation), sent
/// together. Nothing to heal: the messages are real sends the checkers hold to every promise.
/// </summary>
public sealed class FanoutSpikeFault(ChatWorkload workload, int messages) : IFault
{
    private int _acknowledged;

    public string Name => "fanout";

    public string Target => "all-users";

    /// <summary>Fan-out messages the api acknowledged.</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, messages).Select(_ => workload.SendFanoutAsync(cancellationToken)));
        Interlocked.Add(ref _acknowledged, outcomes.Count(o => o == HistoryEventType.Ok));
    }

    public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
