using System.Collections.Frozen;
using System.Globalization;

namespace Chaos.Harness.Deployment;

/// <summary>
/// What a scenario needs of any deployment (<see cref="Runs.Scenario.ConfigureSystem"/>): instances of a role (or of
/// whichever role serves devices), and the
/// timeouts its faults are sized against. Unset means the system's own default. An adapter that cannot meet one says so
/// (<see cref="ISystemAdapter.CheckRequirements"/>) before anything starts, so a scenario never passes on a deployment
/// it was not written for.
/// </summary>
public sealed record SystemRequirements
{
    /// <summary>The most instances of one role a scenario may ask for.</summary>
    public const int MaxInstances = 16;

    /// <summary>Instances per role the scenario needs (e.g. <c>gateway → 3</c>); roles not named keep the system's default.</summary>
    public IReadOnlyDictionary<string, int> Instances { get; init; } = FrozenDictionary<string, int>.Empty;

    /// <summary>
    /// Instances of the role that serves devices (<see cref="SystemShape.DeviceRole"/>), whatever the system names it —
    /// what a scenario about devices asks for (websocket-cut: two, one to crash and one to cut); null: the system's
    /// default. A count for that role by name in <see cref="Instances"/> must agree with it.
    /// </summary>
    public int? DeviceInstances { get; init; }

    /// <summary>The consumers' session timeout the scenario sizes its rebalances against; null: the system's default.</summary>
    public TimeSpan? ConsumerSessionTimeout { get; init; }

    /// <summary>How long the system waits for a silent device before it drops the connection; null: its default.</summary>
    public TimeSpan? DeviceIdleTimeout { get; init; }

    /// <summary>These requirements with <paramref name="count"/> instances of <paramref name="role"/>.</summary>
    public SystemRequirements WithInstances(string role, int count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        return this with { Instances = new Dictionary<string, int>(Instances, StringComparer.Ordinal) { [role] = count }.ToFrozenDictionary(StringComparer.Ordinal) };
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first requirement no system could meet.</summary>
    public void Validate()
    {
        foreach (var (role, count) in Instances)
        {
            if (string.IsNullOrWhiteSpace(role))
            {
                throw new ArgumentException("an instance requirement names no role", nameof(Instances));
            }

            if (count is < 1 or > MaxInstances)
            {
                throw new ArgumentException($"instances of {role} must be within 1..{MaxInstances}, was {count}", nameof(Instances));
            }
        }

        if (DeviceInstances is { } devices && devices is < 1 or > MaxInstances)
        {
            throw new ArgumentException($"instances of the device role must be within 1..{MaxInstances}, was {devices}", nameof(DeviceInstances));
        }

        AtLeastOneSecond(ConsumerSessionTimeout, nameof(ConsumerSessionTimeout));
        AtLeastOneSecond(DeviceIdleTimeout, nameof(DeviceIdleTimeout));

        static void AtLeastOneSecond(TimeSpan? value, string name)
        {
            if (value is { } v && v < TimeSpan.FromSeconds(1))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be at least 1 s, was {v.TotalMilliseconds:0} ms"), name);
            }
        }
    }
}
