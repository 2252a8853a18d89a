namespace Chaos.Scenarios.Tests.Faults;

/// <summary>The fault tests share one deployment and run one after another (they kill and pause its processes).</summary>
[CollectionDefinition(Name)]
public sealed class DeploymentCollection : ICollectionFixture<DeploymentFixture>
{
    public const string Name = "reference-system-deployment";
}
