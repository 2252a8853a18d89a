namespace Chaos.Harness.Checkers;

/// <summary>The pacing a device's client keeps between connection attempts (docs/checkers.md, "Reconnect pacing"): it
/// pauses at least <c>MinDelay × (1 − Jitter)</c> before any attempt after a dropped connection or a failed attempt,
/// so <see cref="StormRun"/> attempts in a row each made sooner than that are a reconnect storm. It pauses at most
/// <c>min(MaxDelay, MinDelay × Multiplier^k)</c> before its k-th attempt after a connection is lost (k from 0), so a
/// pause longer than that plus <see cref="LateTolerance"/> is a late reconnect. The reference client pauses
/// <c>min(max, MinDelay × 2^k) × [0.5, 1)</c> before its k-th attempt.</summary>
public sealed record ReconnectEnvelope
{
    /// <summary>Slack for timer granularity: a timer may fire up to a millisecond or so before the time asked.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(5);

    /// <summary>The client's first pause before a reconnect attempt (before jitter); null leaves reconnects unjudged.</summary>
    public TimeSpan? MinDelay { get; init; }

    /// <summary>The longest pause before an attempt (before jitter); null: the pauses are not judged as late.</summary>
    public TimeSpan? MaxDelay { get; init; }

    /// <summary>How much the pause grows with each failed attempt.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>How much longer than the longest pause an attempt may come: a timer or a thread pool running late, the
    /// client's lock around a connection's start.</summary>
    public TimeSpan LateTolerance { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The fraction of a pause jitter may take off (0 = none, 1 = all).</summary>
    public double Jitter { get; init; } = 0.5;

    /// <summary>How many too-short pauses in a row, with no connection made between them, make a storm. One can be the
    /// harness's own doing (an app restarted just after its last attempt), and a client running two reconnect loops
    /// for a moment (a connection that closes while its resume is in flight) can interleave a few; a client whose
    /// backoff shrinks makes one per failed attempt for as long as the server is down.</summary>
    public int StormRun { get; init; } = 5;

    /// <summary>The shortest pause a correct client takes before an attempt, less <see cref="Tolerance"/>; null when unjudged.</summary>
    public TimeSpan? Floor => MinDelay is { } min ? (min * (1 - Jitter)) - Tolerance : null;

    /// <summary>The longest pause a correct client takes before its <paramref name="k"/>-th attempt after a connection was
    /// lost (k from 0), plus <see cref="LateTolerance"/>; null when late attempts are not judged.</summary>
    public TimeSpan? Ceiling(int k) => MinDelay is { } min && MaxDelay is { } max
        ? TimeSpan.FromTicks((long)Math.Min(long.MaxValue / 2, Math.Min(max.Ticks, min.Ticks * Math.Pow(Multiplier, Math.Min(k, 64))) + (double)LateTolerance.Ticks))
        : null; // saturates: the envelope may come from a check-options.json

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (MinDelay is { } delay && delay < TimeSpan.Zero)
        {
            throw new ArgumentException("ReconnectEnvelope.MinDelay must not be negative.", nameof(MinDelay));
        }

        if (MaxDelay is { } maxDelay && maxDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("ReconnectEnvelope.MaxDelay must not be negative.", nameof(MaxDelay));
        }

        if (Multiplier < 1)
        {
            throw new ArgumentException("ReconnectEnvelope.Multiplier must be at least 1.", nameof(Multiplier));
        }

        if (LateTolerance < TimeSpan.Zero)
        {
            throw new ArgumentException("ReconnectEnvelope.LateTolerance must not be negative.", nameof(LateTolerance));
        }

        if (Jitter is < 0 or > 1)
        {
            throw new ArgumentException("ReconnectEnvelope.Jitter must be between 0 and 1.", nameof(Jitter));
        }

        if (StormRun < 2)
        {
            throw new ArgumentException("ReconnectEnvelope.StormRun must be at least 2.", nameof(StormRun));
        }
    }
}
