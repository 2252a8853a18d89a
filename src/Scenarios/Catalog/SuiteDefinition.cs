using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// A named set of runs: every scenario of the catalogue for <paramref name="Seeds"/> seeds, and the exploratory ones
/// too when <paramref name="WithExploratory"/> (<see cref="ScenarioCatalog.ScenariosOf"/>).
/// </summary>
internal sealed record SuiteDefinition(string Name, string Description, int Seeds, TimeSpan? Duration, bool WithExploratory = false)
{
    /// <summary>The suite's runs, in the order <c>chaos run --suite</c> runs them: each scenario, seeds <paramref name="baseSeed"/> onwards.</summary>
    public IReadOnlyList<(Scenario Scenario, long Seed)> Runs(IEnumerable<Scenario> scenarios, long baseSeed) =>
        [.. scenarios.SelectMany(scenario => Enumerable.Range(0, Seeds).Select(i => (scenario, baseSeed + i)))];
}
