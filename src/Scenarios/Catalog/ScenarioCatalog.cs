using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>Every scenario <c>chaos list</c> shows and <c>chaos run</c> accepts, and the suites made of them.</summary>
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

    /// <summary>Suites: smoke (every scenario, short), nightly (several seeds, longer), pre-release (nightly + SLO gates).</summary>
    public static IReadOnlyDictionary<string, SuiteDefinition> Suites { get; } = new Dictionary<string, SuiteDefinition>(StringComparer.Ordinal)
    {
        ["smoke"] = new("smoke", "every scenario once, short", Seeds: 1, Duration: TimeSpan.FromSeconds(10)),
        ["nightly"] = new("nightly", "every scenario, 5 seeds, default durations", Seeds: 5, Duration: null),
        ["pre-release"] = new("pre-release", "every scenario, 20 seeds, default durations, SLO gates", Seeds: 20, Duration: null),
    };

    public static Scenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
