namespace Chaos.Scenarios.Catalog;

/// <summary>A named set of runs: every scenario of the catalogue for <paramref name="Seeds"/> seeds.</summary>
internal sealed record SuiteDefinition(string Name, string Description, int Seeds, TimeSpan? Duration);
