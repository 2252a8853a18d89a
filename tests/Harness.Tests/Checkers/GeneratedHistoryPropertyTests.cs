using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>Property tests over seeded generated histories: valid ones are valid, and one planted anomaly is found as
/// exactly its class.</summary>
public sealed class GeneratedHistoryPropertyTests
{
    private const int Iterations = 60;

    private static readonly RetryEnvelope GeneratorPolicy = new() { BaseDelay = TimeSpan.FromMilliseconds(10), Jitter = 0.5, MaxAttempts = 6 };

    private static SyntheticHistoryOptions OptionsFor(int seed) => new()
    {
        Seed = seed,
        TargetEvents = 600 + (seed % 7 * 100),
        Users = 2 + (seed % 4),
        DevicesPerUser = 1 + (seed % 3),
        Senders = 1 + (seed % 4),
        JobFraction = 0.15,
        FailFraction = 0.05,
        InfoFraction = 0.05,
        DropFraction = 0.05,
    };

    private static readonly ReconnectEnvelope Pacing = new() { MinDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) };

    private static CheckOptions Options(IReadOnlyList<HistoryEvent> history, bool slo)
    {
        if (!slo)
        {
            return new CheckOptions { Retries = GeneratorPolicy, Reconnects = Pacing };
        }

        // The valid history's own maximum latency is the threshold: it holds exactly, and any slower delivery breaks it.
        var max = LatencyAnalysis.Analyze(history).Overall.Max;
        return new CheckOptions
        {
            Retries = GeneratorPolicy,
            Reconnects = Pacing,
            LatencySlos = [new LatencyThreshold(LatencyThreshold.All, 100, TimeSpan.FromTicks((max / 100) + 1))],
        };
    }

    private static string[] ErrorClasses(CheckResult result) =>
        [.. result.Anomalies.Values.Where(a => !a.Informational && a.Count > 0).Select(a => a.Name).Order()];

    [Fact]
    public void GeneratedHistories_AreValid()
    {
        for (var seed = 1; seed <= Iterations * 3; seed++)
        {
            var history = SyntheticHistory.Generate(OptionsFor(seed));

            var result = StandardChecks.Check(history, Options(history, slo: true));

            result.Verdict.Should().Be(Verdict.Valid, $"seed {seed} generates a correct run; anomalies: {string.Join(", ", ErrorClasses(result))}; unknown: {string.Join("; ", result.UnknownReasons)}");
            result.Counters["deliveries"].Should().BeGreaterThan(0);
        }
    }

    public static TheoryData<string> Shapes => new(SyntheticHistoryShapes.ByName.Keys);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryBenchmarkShape_GeneratesAValidHistoryOfAboutTheAskedSize(string shape)
    {
        var options = SyntheticHistoryShapes.ByName[shape] with { TargetEvents = 200_000, Seed = 7 };

        var history = SyntheticHistory.Generate(options);

        var result = StandardChecks.Check(history, new CheckOptions { Retries = GeneratorPolicy });
        result.Verdict.Should().Be(Verdict.Valid, $"anomalies: {string.Join(", ", ErrorClasses(result))}; unknown: {string.Join("; ", result.UnknownReasons)}");
        history.Count.Should().BeInRange(180_000, 220_000, "the shape's events per send are estimated for the target");
        var recipients = history.Where(e => e.F == HistoryOps.Send && e.Type == HistoryEventType.Invoke).Select(e => e.AsSend()!.To.Count);
        recipients.Max().Should().Be(Math.Min(options.GroupSize, options.Users), "group sends reach the shape's group size");
        history.Where(e => e.F == HistoryOps.Device).Should().HaveCount(options.Users * options.DevicesPerUser);
    }

    public static TheoryData<string> PlantedClasses => new(
        AnomalyNames.All.Where(n => n != AnomalyNames.Recovered));

    [Theory]
    [MemberData(nameof(PlantedClasses))]
    public void OnePlantedAnomaly_IsFoundAsExactlyItsClass(string anomaly)
    {
        var planted = 0;
        for (var seed = 1; seed <= Iterations; seed++)
        {
            var valid = SyntheticHistory.Generate(OptionsFor(seed));
            var random = new Random(seed * 7919);
            var plant = AnomalyPlanter.Plant(anomaly, valid, random);
            if (plant is null)
            {
                continue;
            }

            planted++;
            var history = plant.History;
            var result = StandardChecks.Check(history, Options(valid, slo: anomaly == AnomalyNames.LatencySlo));

            // By the rules a reordering is also a skip (the later seq arrived while the earlier had not): exactly one each.
            string[] expected = anomaly == AnomalyNames.Nonmonotonic ? [AnomalyNames.Nonmonotonic, AnomalyNames.Skip] : [anomaly];
            ErrorClasses(result).Should().BeEquivalentTo(expected, $"seed {seed} planted one {anomaly}");
            result.Verdict.Should().Be(Verdict.Invalid);
            result.Count(anomaly).Should().Be(plant.Count, $"seed {seed}: the plant makes exactly that many {anomaly}");
            if (anomaly == AnomalyNames.Nonmonotonic)
            {
                result.Count(AnomalyNames.Skip).Should().Be(1, $"seed {seed}: the swapped pair is one skip");
            }

            var lastIndex = history[^1].Index;
            result.Anomalies[anomaly].Examples.Should().HaveCount((int)Math.Min(plant.Count, CheckResultBuilder.MaxExamples));
            result.Anomalies[anomaly].Examples.Should().OnlyContain(
                e => e.Events.Count > 0 && e.Events.All(i => i >= 0 && i <= lastIndex) && e.Explanation.Length > 0,
                "every example cites events of this history");
        }

        planted.Should().BeGreaterThan(Iterations / 2, $"most generated histories offer a place to plant {anomaly}");
    }

    [Fact]
    public async Task GeneratedHistories_RoundTripThroughTheFileFormat()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var history = SyntheticHistory.Generate(OptionsFor(3));
        using var stream = new MemoryStream();
        await HistoryFile.WriteAllAsync(history, stream, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        stream.Position = 0;

        await using var reader = new HistoryReader(stream);
        var read = new List<HistoryEvent>();
        await foreach (var e in reader.ReadAsync(cancellationToken))
        {
            read.Add(e);
        }

        read.Select(e => e.ToString()).Should().Equal(history.Select(e => e.ToString()));
        StandardChecks.Check(read).Verdict.Should().Be(StandardChecks.Check(history).Verdict);
    }
}
