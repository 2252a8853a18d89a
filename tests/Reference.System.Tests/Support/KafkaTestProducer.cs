using Confluent.Kafka;

namespace Chaos.Reference.Tests.Support;

/// <summary>Produces raw records to a run's topics, for replays and poison payloads.</summary>
public static class KafkaTestProducer
{
    public static async Task ProduceAsync(string bootstrap, string topic, string? key, params string[] values)
    {
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = bootstrap, MaxInFlight = 1 }).Build();
        foreach (var v in values)
        {
            await producer.ProduceAsync(topic, new Message<string?, string> { Key = key, Value = v });
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }
}
