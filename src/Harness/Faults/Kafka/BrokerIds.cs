using System.Globalization;
using Chaos.Harness.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>Broker targets as the schedules name them (<c>broker-2</c>, or <c>all</c>), checked against the cluster.</summary>
public static class BrokerIds
{
    /// <summary>The schedule's name for broker <paramref name="id"/> (<see cref="MockCluster.AllBrokers"/> → <c>all</c>).</summary>
    public static string Name(int id) => id == MockCluster.AllBrokers ? "all" : "broker-" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses <c>broker-N</c> or <c>all</c>; throws an <see cref="ArgumentException"/> naming the target otherwise.</summary>
    public static int Parse(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (target == "all")
        {
            return MockCluster.AllBrokers;
        }

        return target.StartsWith("broker-", StringComparison.Ordinal)
            && int.TryParse(target.AsSpan("broker-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new ArgumentException($"'{target}' is not a broker (expected broker-N or all)", nameof(target));
    }

    /// <summary>Throws when <paramref name="id"/> is not one of the cluster's brokers (the mock must never be handed an unknown id).</summary>
    public static void Validate(IKafkaFaults kafka, int id, bool allowAll, string parameter)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        if (allowAll && id == MockCluster.AllBrokers)
        {
            return;
        }

        if (id < 1 || id > kafka.BrokerCount)
        {
            throw new ArgumentOutOfRangeException(parameter, id, $"broker {id} does not exist: the cluster has brokers 1..{kafka.BrokerCount}");
        }
    }
}
