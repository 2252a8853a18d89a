namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>
/// The cross-process Kafka tests run one after another: each starts several .NET processes and
/// group rebalances are timed, so running them side by side on a 2-core machine only adds noise.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection
{
    public const string Name = "embedded-kafka";
}
