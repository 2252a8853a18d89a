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
