using Chaos.Harness.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// A consumer group's coordinator moves to another broker (a coordinator failover): members get NOT_COORDINATOR, find
/// the new coordinator and carry on. Instantaneous — the heal does nothing, as after a real failover. Needs the mock's
/// API; a real broker has no such call.
/// </summary>
public sealed class CoordinatorMoveFault : IFault
{
    private readonly IKafkaFaults _kafka;

    public CoordinatorMoveFault(IKafkaFaults kafka, string group, int toBroker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        // the mock would hand clients a coordinator that does not exist: never pass an unknown id
        BrokerIds.Validate(kafka, toBroker, allowAll: false, nameof(toBroker));
        _kafka = kafka;
        Group = group;
        ToBroker = toBroker;
    }

    public string Name => "coordinator-move";

    public string Target => Group;

    public string Group { get; }

    public int ToBroker { get; }

    public Task ApplyAsync(CancellationToken cancellationToken) =>
        _kafka.SetCoordinatorAsync(KafkaCoordinatorType.Group, Group, ToBroker, cancellationToken).AsTask();

    public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
