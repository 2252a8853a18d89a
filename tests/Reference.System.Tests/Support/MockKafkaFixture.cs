[assembly: AssemblyFixture(typeof(Chaos.Reference.Tests.Support.MockKafkaFixture))]

namespace Chaos.Reference.Tests.Support;

/// <summary>One embedded Kafka for the whole test assembly; each test uses its own topic prefix.</summary>
public sealed class MockKafkaFixture : IDisposable
{
    public TemporaryMockKafka Kafka { get; } = new(brokers: 1);

    public void Dispose() => Kafka.Dispose();
}
