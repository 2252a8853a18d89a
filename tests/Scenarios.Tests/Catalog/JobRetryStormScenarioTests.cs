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
            "run", "job-retry-storm", "--seed", "3", "--duration", "12s", "--warmup", "3s", "--users", "4", "--rate", "30", "--out", _dir);

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
        schedule.RootElement.GetRawText().Should().Contain("downstream-slow").And.Contain("downstream-stall");
        lines.Should().Contain(l => l.Contains("\"f\":\"call\"", StringComparison.Ordinal) && l.Contains("\"outcome\":\"refused\"", StringComparison.Ordinal),
            "the refusing fault refused calls at the provider");
        lines.Should().Contain(l => l.Contains("\"f\":\"job-state\"", StringComparison.Ordinal) && l.Contains("dead-lettered", StringComparison.Ordinal) && l.Contains("refused", StringComparison.Ordinal),
            "a job refused for good is dead-lettered with the refusal as its reason");
        lines.Should().Contain(l => l.Contains("\"f\":\"verify\"", StringComparison.Ordinal) && l.Contains("topic-refused: the spare broker", StringComparison.Ordinal),
            "the broker's own count of the dead-letter records it refused is in the evidence");
        var deadLetters = lines.Where(l => l.Contains("\"f\":\"dead-letters\"", StringComparison.Ordinal)).Select(ValueOf).ToList();
        deadLetters.Should().ContainSingle("the drain reads the dead-letter topic from Kafka once");
        var recorded = deadLetters[0].GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToHashSet();
        var stated = lines.Where(l => l.Contains("\"f\":\"job-state\"", StringComparison.Ordinal) && l.Contains("\"state\":\"dead-lettered\"", StringComparison.Ordinal))
            .Select(l => ValueOf(l).GetProperty("id").GetString()).ToList();
        stated.Should().NotBeEmpty().And.OnlyContain(id => recorded.Contains(id), "every job the system calls dead-lettered has its record on jobs-dlq");
    }

    private static JsonElement ValueOf(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("value").Clone();
    }

    [Fact]
    public void Explain_EveryFaultTookEffect_AndPoisonAcknowledged_IsNull() =>
        JobRetryStormScenario.Explain([("downstream-failure", null), ("downstream-stall", null)], poisonSubmitted: 2).Should().BeNull();

    [Fact]
    public void Explain_NamesEveryFaultThatDidNot_AndMissingPoison_AndNoFault()
    {
        JobRetryStormScenario.Explain([("downstream-failure", "downstream-failure: failed none"), ("downstream-slow", null)], poisonSubmitted: 0)
            .Should().Be("downstream-failure: failed none; no poison job was submitted and acknowledged");
        JobRetryStormScenario.Explain([], poisonSubmitted: 1).Should().Be("no downstream fault was applied");
        JobRetryStormScenario.Explain([("downstream-failure", null)], poisonSubmitted: 1, ["topic-refused on jobs-dlq: the broker refused no produce request for it", null])
            .Should().Be("topic-refused on jobs-dlq: the broker refused no produce request for it");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(20)]
    [InlineData(60)]
    public void Schedule_FiveDownstreamFaultsInTurn_NeverOverlapping_TheDeadLetterRefusalInsideTheRefusals_EachHealedInsideThePhase(int seconds)
    {
        var phase = TimeSpan.FromSeconds(seconds);
        var scenario = ScenarioCatalog.Find("job-retry-storm")!;
        var schedule = scenario.BuildSchedule(4, phase);
        var downstream = schedule.Entries.Where(e => e.Fault.StartsWith("downstream-", StringComparison.Ordinal)).ToList();

        schedule.Entries.Select(e => e.Fault).Should().Equal(
            "downstream-failure", "downstream-refuse", "topic-refused", "downstream-down", "downstream-slow", "downstream-stall");
        schedule.Entries.Should().OnlyContain(e => e.Duration > TimeSpan.Zero && e.At > TimeSpan.Zero && e.HealAt <= phase);
        downstream.Zip(downstream.Skip(1)).Should().OnlyContain(p => p.First.HealAt < p.Second.At, "one heal lands before the next apply");
        var refusals = downstream.Single(e => e.Fault == "downstream-refuse");
        var deadLetter = schedule.Entries.Single(e => e.Fault == "topic-refused");
        deadLetter.Target.Should().Be("jobs-dlq");
        deadLetter.At.Should().BeGreaterThan(refusals.At, "jobs refused for good are being dead-lettered when Kafka refuses their records");
        deadLetter.HealAt.Should().BeLessThan(refusals.HealAt!.Value);
        schedule.Entries.Should().OnlyContain(e => scenario.Catalogue.IsKnownFault(e.Fault) && scenario.Catalogue.TargetsOf(e.Fault).Contains(e.Target));
    }

    [Fact]
    public void Schedule_AtTheDefaultPhase_IsTheDocumentedOne()
    {
        var schedule = ScenarioCatalog.Find("job-retry-storm")!.BuildSchedule(1, TimeSpan.FromSeconds(20));

        schedule.Entries.Select(e => (e.Fault, Math.Round(e.At.TotalSeconds, 1), Math.Round(e.HealAt!.Value.TotalSeconds, 1))).Should().Equal(
            ("downstream-failure", 1.0, 5.5), ("downstream-refuse", 5.7, 10.0), ("topic-refused", 5.9, 9.8), ("downstream-down", 10.5, 12.1),
            ("downstream-slow", 12.3, 16.4), ("downstream-stall", 16.6, 19.0));
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
