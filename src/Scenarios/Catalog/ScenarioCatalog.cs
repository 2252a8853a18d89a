using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Every scenario <c>chaos list</c> shows and <c>chaos run</c> accepts, and the suites made of them. <see cref="All"/>
/// holds the vetted ones (smoke, pre-release, the verify matrix's correct cells); <see cref="Exploratory"/> the ones
/// whose false-alarm rate the nightly suite is still measuring (docs/scenarios.md, "Exploratory scenarios").
/// </summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new SteadyStateScenario(),
        new JobRetryStormScenario(),
        new FanoutSpikeScenario(),
        new WebSocketCutScenario(),
        new MobileSleepWakeScenario(),
        new KafkaRebalanceScenario(),
        new BrokerOutageScenario(),
        new DuplicateReplayScenario(),
        new ServiceCrashScenario(),
        new ConsumerKillMidBatchScenario(),
    ];

    /// <summary>Scenarios run by name and in the nightly suite only, until their false-alarm rate over the nightly's seeds is known.</summary>
    public static IReadOnlyList<Scenario> Exploratory { get; } =
    [
        new RandomMixScenario(),
        new SystemMixScenario(),
    ];

    /// <summary><see cref="All"/> then <see cref="Exploratory"/>: what <c>chaos list</c> shows and <c>chaos run</c> accepts.</summary>
    public static IReadOnlyList<Scenario> Everything { get; } = [.. All, .. Exploratory];

    /// <summary>Suites: smoke (every scenario, short), nightly (several seeds, longer), pre-release (nightly + SLO gates).</summary>
    public static IReadOnlyDictionary<string, SuiteDefinition> Suites { get; } = new Dictionary<string, SuiteDefinition>(StringComparer.Ordinal)
    {
        ["smoke"] = new("smoke", "every scenario once, short", Seeds: 1, Duration: TimeSpan.FromSeconds(10)),
        ["nightly"] = new("nightly", "every scenario (exploratory ones too), 5 seeds, default durations", Seeds: 5, Duration: null, WithExploratory: true),
        ["pre-release"] = new("pre-release", "every scenario, 20 seeds, default durations, SLO gates", Seeds: 20, Duration: null),
    };

    public static Scenario? Find(string name) => Everything.FirstOrDefault(s => s.Name == name);

    /// <summary>The scenarios <paramref name="suite"/> runs.</summary>
    public static IReadOnlyList<Scenario> ScenariosOf(SuiteDefinition suite) => suite.WithExploratory ? Everything : All;

    /// <summary>True for a scenario of <see cref="Exploratory"/>.</summary>
    public static bool IsExploratory(Scenario scenario) => Exploratory.Contains(scenario);
}
