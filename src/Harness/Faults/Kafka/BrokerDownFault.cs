using Chaos.Harness.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// A broker goes down: the mock closes its connections and stops listening (its port is kept). Leadership does not
/// move, so partitions it leads stall until it is up again; clients see transport errors and reconnect. Heal: up.
/// </summary>
public sealed class BrokerDownFault : IFault
{
    private readonly IKafkaFaults _kafka;
    private readonly int _brokerId;

    /// <param name="kafka">The cluster's fault channel.</param>
    /// <param name="brokerId">A broker id (1..N) or <see cref="MockCluster.AllBrokers"/>.</param>
    public BrokerDownFault(IKafkaFaults kafka, int brokerId)
    {
        BrokerIds.Validate(kafka, brokerId, allowAll: true, nameof(brokerId));
        _kafka = kafka;
        _brokerId = brokerId;
    }

    public string Name => "broker-down";

    public string Target => BrokerIds.Name(_brokerId);

    public Task ApplyAsync(CancellationToken cancellationToken) => _kafka.SetBrokerDownAsync(_brokerId, cancellationToken).AsTask();

    public Task HealAsync(CancellationToken cancellationToken) => _kafka.SetBrokerUpAsync(_brokerId, cancellationToken).AsTask();
}
