using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>fanout-spike on the correct system: the spikes happen (recorded, delivered to every user) and nothing breaks.</summary>
public sealed class FanoutSpikeScenarioTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-scenario-tests", "fanout-spike-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Fan_out_to_every_user_and_bursts_are_delivered_without_loss_duplicates_or_reordering()
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(4), TestContext.Current.CancellationToken,
            "run", "fanout-spike", "--seed", "2", "--duration", "10s", "--warmup", "3s", "--rate", "30", "--users", "10", "--out", _dir);

        run.ExitCode.Should().Be(0, $"stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        var lines = await File.ReadAllLinesAsync(Path.Combine(_dir, "history.jsonl"), TestContext.Current.CancellationToken);
        lines.Where(l => l.Contains("\"f\":\"fault\"", StringComparison.Ordinal) && l.Contains("\"type\":\"ok\"", StringComparison.Ordinal))
            .Should().Contain(l => l.Contains("\"burst\"", StringComparison.Ordinal)).And.Contain(l => l.Contains("\"fanout\"", StringComparison.Ordinal));
        var fanoutDeliveries = lines.Where(l => l.Contains("\"f\":\"deliver\"", StringComparison.Ordinal) && l.Contains("\"id\":\"fanout1\"", StringComparison.Ordinal)).ToList();
        fanoutDeliveries.Should().HaveCount(30 * 2, "the first fan-out message reaches every device of all 30 users once");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
