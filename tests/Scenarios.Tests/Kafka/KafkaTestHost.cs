using Chaos.Harness.Kafka;

namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>Starts `chaos kafka` in its own process through <see cref="EmbeddedKafkaHost"/>, as the topology will.</summary>
internal static class KafkaTestHost
{
    public static Task<EmbeddedKafkaHost> StartAsync(params IEnumerable<string> arguments) =>
        EmbeddedKafkaHost.StartAsync(
            new EmbeddedKafkaHostOptions { FileName = "dotnet", Arguments = [TestPaths.ChaosDll, "kafka", .. arguments], StartTimeout = TimeSpan.FromSeconds(60) },
            TestContext.Current.CancellationToken);
}
