namespace Chaos.Harness.Load;

/// <summary>Settings of an <see cref="OpenLoadGenerator"/> run; validated before the run starts.</summary>
public sealed class OpenLoadOptions
{
    /// <summary>The arrival-rate profile; its duration bounds the run.</summary>
    public required ArrivalProfile Profile { get; init; }

    /// <summary>The seed for random arrival processes (the run's seed, or one derived from it).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// At most this many operations in flight. An arrival that finds the limit reached is not started and is
    /// counted as overflowed; it never waits (a waiting arrival would be coordinated omission).
    /// </summary>
    public int MaxInFlight { get; init; } = 10_000;

    /// <summary>An operation that started more than this after its intended time is counted as late.</summary>
    public TimeSpan LateThreshold { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>After the last arrival, how long to wait for in-flight operations before cancelling them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where operations start. <see cref="LoadDispatch.ThreadPool"/> (the default) queues each one to the pool, so
    /// an operation's synchronous work never delays the schedule. <see cref="LoadDispatch.Inline"/> starts each on the
    /// scheduler thread up to its first await: no pool hop, lower lag, but only for operations that await early.
    /// </summary>
    public LoadDispatch Dispatch { get; init; } = LoadDispatch.ThreadPool;

    /// <summary>
    /// When true the scheduler never sleeps between arrivals: it yields and spins, holding one core for the whole
    /// run, for the lowest lag on a quiet machine. When false (the default) it sleeps precisely (Linux
    /// clock_nanosleep) until 100 µs before each arrival, which costs little CPU at moderate rates.
    /// </summary>
    public bool SpinOnly { get; init; }

    /// <summary>
    /// The clock. With <see cref="TimeProvider.System"/> the scheduler spins on the high-resolution timestamp near
    /// each deadline; with any other provider (e.g. FakeTimeProvider) it waits on that provider's timers.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Profile is null)
        {
            throw new ArgumentNullException(nameof(Profile), "A load run needs an arrival profile.");
        }

        if (MaxInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, "MaxInFlight must be at least 1.");
        }

        if (LateThreshold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LateThreshold), LateThreshold, "LateThreshold must not be negative.");
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "DrainTimeout must not be negative.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "A load run needs a TimeProvider.");
        }
    }
}
