namespace Chaos.Harness.History;

/// <summary>Shape of a generated history (see <see cref="SyntheticHistory"/>).</summary>
public sealed record SyntheticHistoryOptions
{
    /// <summary>The seed every choice derives from.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>About how many events to generate (the final drain adds a few).</summary>
    public int TargetEvents { get; init; } = 2_000;

    /// <summary>Users (recipients).</summary>
    public int Users { get; init; } = 5;

    /// <summary>Devices per user.</summary>
    public int DevicesPerUser { get; init; } = 2;

    /// <summary>Concurrent senders.</summary>
    public int Senders { get; init; } = 3;

    /// <summary>Accounts background jobs credit.</summary>
    public int Accounts { get; init; } = 3;

    /// <summary>Fraction of operations that are job submissions.</summary>
    public double JobFraction { get; init; } = 0.1;

    /// <summary>Fraction of sends whose outcome is info (half of them are persisted and arrive: recovered), all in the
    /// fault phase: outside it every send succeeds, as the availability rule expects.</summary>
    public double InfoFraction { get; init; } = 0.02;

    /// <summary>Fraction of sends that fail, all in the fault phase (the fault phase is 30 % of the run, so the run's
    /// totals are as asked while this and <see cref="InfoFraction"/> add up to at most 0.3).</summary>
    public double FailFraction { get; init; } = 0.02;

    /// <summary>Fraction of deliveries followed by a transport redelivery the client drops.</summary>
    public double DropFraction { get; init; } = 0.02;

    /// <summary>Fraction of sends that go to a group rather than one user.</summary>
    public double GroupFraction { get; init; } = 0.1;

    /// <summary>Recipients of a group send (distinct users, at most <see cref="Users"/>).</summary>
    public int GroupSize { get; init; } = 2;
}
