using System.Text.Json;
using Chaos.Scenarios.Catalog;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>job-retry-storm on the correct system: faults recorded and taking effect, every promise held.</summary>
public sealed class JobRetryStormScenarioTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-scenario-tests", "job-retry-storm-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task The_correct_system_retries_within_the_envelope_dead_letters_poison_and_keeps_balances_exact()
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(4), TestContext.Current.CancellationToken,
            "run", "job-retry-storm", "--seed", "3", "--duration", "10s", "--warmup", "3s", "--users", "4", "--rate", "30", "--out", _dir);

        run.ExitCode.Should().Be(0, $"stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        var lines = await File.ReadAllLinesAsync(Path.Combine(_dir, "history.jsonl"), TestContext.Current.CancellationToken);
        lines.Should().Contain(l => l.Contains("\"f\":\"fault\"", StringComparison.Ordinal) && l.Contains("downstream-failure", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains("\"f\":\"heal\"", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains("\"f\":\"attempt\"", StringComparison.Ordinal) && l.Contains("transient", StringComparison.Ordinal), "the downstream fault must have made attempts fail");
        lines.Should().Contain(l => l.Contains("\"process\":\"downstream\"", StringComparison.Ordinal) && l.Contains("\"f\":\"call\"", StringComparison.Ordinal) && l.Contains("\"outcome\":\"fail\"", StringComparison.Ordinal),
            "the harness's own provider saw the failing calls");
        lines.Should().Contain(l => l.Contains("\"f\":\"verify\"", StringComparison.Ordinal) && l.Contains("downstream provider observed", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains("\"f\":\"job-state\"", StringComparison.Ordinal) && l.Contains("dead-lettered", StringComparison.Ordinal) && l.Contains("invalid payload", StringComparison.Ordinal),
            "poison jobs are dead-lettered with their reason");
        using var schedule = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "schedule.json"), TestContext.Current.CancellationToken));
        schedule.RootElement.GetRawText().Should().Contain("downstream-slow");
    }

    [Fact]
    public void Explain_FaultsThatReachedTheProvider_AndPoisonAcknowledged_TookEffect() =>
        JobRetryStormScenario.Explain([("downstream-failure", 40, 25), ("downstream-slow", 30, 9)], poisonSubmitted: 2).Should().BeNull();

    [Fact]
    public void Explain_AFailingFaultThatFailedNoCall_DidNotTakeEffect() =>
        JobRetryStormScenario.Explain([("downstream-failure", 40, 0), ("downstream-slow", 30, 9)], poisonSubmitted: 2)
            .Should().Be("downstream-failure: the provider failed none of the 40 calls it received while it held (the fault never reached the jobs)");

    [Fact]
    public void Explain_NoCallWhileSlow_NoPoison_AndNoFault_AreEachNamed()
    {
        JobRetryStormScenario.Explain([("downstream-slow", 0, 0)], poisonSubmitted: 0)
            .Should().Be("downstream-slow: the provider received no call while it held; no poison job was submitted and acknowledged");
        JobRetryStormScenario.Explain([], poisonSubmitted: 1).Should().Be("no downstream fault was applied");
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
