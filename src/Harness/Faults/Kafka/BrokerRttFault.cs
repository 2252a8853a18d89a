using Chaos.Harness.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>Every answer of a broker (or of all brokers) is delayed by a round-trip time. Heal: RTT 0.</summary>
public sealed class BrokerRttFault : IFault
{
    private readonly IKafkaFaults _kafka;
    private readonly int _brokerId;

    public BrokerRttFault(IKafkaFaults kafka, int brokerId, TimeSpan rtt)
    {
        BrokerIds.Validate(kafka, brokerId, allowAll: true, nameof(brokerId));
        ArgumentOutOfRangeException.ThrowIfLessThan(rtt, TimeSpan.FromMilliseconds(1), nameof(rtt));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rtt, TimeSpan.FromMinutes(1), nameof(rtt));
        _kafka = kafka;
        _brokerId = brokerId;
        Rtt = rtt;
    }

    public string Name => "broker-rtt";

    public string Target => BrokerIds.Name(_brokerId);

    /// <summary>The delay added to each answer.</summary>
    public TimeSpan Rtt { get; }

    public Task ApplyAsync(CancellationToken cancellationToken) => _kafka.SetRttAsync(_brokerId, (int)Rtt.TotalMilliseconds, cancellationToken).AsTask();

    public Task HealAsync(CancellationToken cancellationToken) => _kafka.SetRttAsync(_brokerId, 0, cancellationToken).AsTask();
}
