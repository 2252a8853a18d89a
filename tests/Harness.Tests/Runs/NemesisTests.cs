using Chaos.Harness.Faults;
using Chaos.Harness.History;
using Chaos.Harness.Runs;

namespace Chaos.Harness.Tests.Runs;

public sealed class NemesisTests
{
    private sealed class NoOpFault(string target) : IFault
    {
        public string Name => "noop";

        public string Target => target;

        public Task ApplyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A fault whose apply waits until cancelled, and whose heal waits until its own token is cancelled.</summary>
    private sealed class HangingFault : IFault
    {
        public string Name => "hang";

        public string Target => "node-1";

        public TaskCompletionSource HealCut { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ApplyAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

        public async Task HealAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                HealCut.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task Apply_CutByTheRunsStop_HealsWithinTheAbortBound_NotForever()
    {
        // A SIGTERMed run waited 90 s: its process-kill's apply was cut, and the heal restarted the node and waited the
        // node's whole start-up timeout before the run could go on stopping.
        var ct = TestContext.Current.CancellationToken;
        await using var history = new HistoryWriter(new MemoryStream(), TimeProvider.System, ownsStream: true);
        var nemesis = new Nemesis(history, abortedHealBound: TimeSpan.FromMilliseconds(300));
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var fault = new HangingFault();

        var apply = nemesis.ApplyAsync(fault, null, run.Token);
        await Task.Delay(100, ct);
        await run.CancelAsync();

        await FluentActions.Awaiting(() => apply.WaitAsync(TimeSpan.FromSeconds(10), ct)).Should().ThrowAsync<OperationCanceledException>("the run's stop is passed on");
        fault.HealCut.Task.IsCompleted.Should().BeTrue("the heal was given a bounded token and cut at the bound");
        nemesis.Applied.Should().ContainSingle().Which.Error.Should().NotBeNull();
    }

    /// <summary>A fault whose apply fails at once, and whose heal waits until its token is cancelled.</summary>
    private sealed class FailingFault : IFault
    {
        public string Name => "fail";

        public string Target => "node-1";

        public TaskCompletionSource HealStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ApplyAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("node-1 is not running");

        public async Task HealAsync(CancellationToken cancellationToken)
        {
            HealStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    [Fact]
    public async Task Apply_Failed_ItsHealStillWaiting_WhenTheRunStops_IsCutAtTheAbortBound()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var history = new HistoryWriter(new MemoryStream(), TimeProvider.System, ownsStream: true);
        var nemesis = new Nemesis(history, abortedHealBound: TimeSpan.FromMilliseconds(300));
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var fault = new FailingFault();

        var apply = nemesis.ApplyAsync(fault, null, run.Token);
        await fault.HealStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await run.CancelAsync();

        (await apply.WaitAsync(TimeSpan.FromSeconds(10), ct)).Should().BeNull("the fault was not applied; its heal was cut once the run stopped, not after the 120 s bound");
    }

    [Fact]
    public async Task ActiveFaults_ReadWhileFaultsComeAndGo_IsAlwaysAConsistentSnapshot()
    {
        // websocket-cut crashed a run with "Destination array is not long enough to copy all the items in the
        // collection": the live progress copied the active-fault set under one lock while the nemesis changed it under
        // another. Now the nemesis owns the set and hands out copies taken under its own lock.
        var ct = TestContext.Current.CancellationToken;
        await using var history = new HistoryWriter(new MemoryStream(), TimeProvider.System, ownsStream: true);
        var nemesis = new Nemesis(history);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var snapshots = 0;
        var reader = Task.Run(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var active = nemesis.ActiveFaults;
                    active.Should().OnlyHaveUniqueItems();
                    active.Where(name => !name.StartsWith("noop@t", StringComparison.Ordinal)).Should().BeEmpty();
                    snapshots++;
                }
            },
            ct);

        for (var round = 0; round < 300; round++)
        {
            var ids = new List<string>();
            for (var i = 0; i < 40; i++)
            {
                ids.Add((await nemesis.ApplyAsync(new NoOpFault($"t{i}"), null, ct))!);
            }

            foreach (var id in ids)
            {
                await nemesis.HealAsync(id, ct);
            }
        }

        await stop.CancelAsync();
        await reader;

        snapshots.Should().BePositive("the reader ran alongside");
        nemesis.ActiveFaults.Should().BeEmpty();
        nemesis.Applied.Should().HaveCount(300 * 40);
    }
}
