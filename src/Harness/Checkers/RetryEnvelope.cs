namespace Chaos.Harness.Checkers;

/// <summary>The backoff envelope job retries must stay inside. Attempt n+1 may start no sooner than
/// <c>min(MaxDelay, BaseDelay × Multiplier^(n-1) × (1 − Jitter))</c> after attempt n, and — when nothing but the
/// provider's own answers was disturbed — no later than <c>min(MaxDelay, BaseDelay × Multiplier^(n-1))</c> plus
/// <see cref="LateTolerance"/> after attempt n's answer; no job may make more than <see cref="MaxAttempts"/> attempts;
/// and no more than <see cref="SyncThreshold"/> retries (attempt ≥ 2) may start within <see cref="SyncWindow"/> of each
/// other — jittered backoff spreads them out, synchronised retries are a storm. docs/checkers.md, "retry-late".</summary>
public sealed record RetryEnvelope
{
    /// <summary>The policy's first retry delay; null leaves the per-job spacing unchecked.</summary>
    public TimeSpan? BaseDelay { get; init; }

    /// <summary>Exponential growth factor of the delay.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>The fraction of the delay jitter may take off (0 = no jitter, 1 = full jitter).</summary>
    public double Jitter { get; init; } = 0.5;

    /// <summary>The longest delay the policy waits before a retry, however many came before; null: uncapped.</summary>
    public TimeSpan? MaxDelay { get; init; }

    /// <summary>How much later than the policy's longest delay a retry may come after the previous attempt's answer: the
    /// answer's way back, a write-ahead reservation, a worker slowed by the machine's load (retry-late).</summary>
    public TimeSpan LateTolerance { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The retry budget (attempts per job, first included); null leaves it unchecked.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>The window in which retries count as simultaneous.</summary>
    public TimeSpan SyncWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How many simultaneous retries make a storm.</summary>
    public int SyncThreshold { get; init; } = 10;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (BaseDelay is { } delay && delay < TimeSpan.Zero)
        {
            throw new ArgumentException("RetryEnvelope.BaseDelay must not be negative.", nameof(BaseDelay));
        }

        if (MaxDelay is { } max && max <= TimeSpan.Zero)
        {
            throw new ArgumentException("RetryEnvelope.MaxDelay must be positive.", nameof(MaxDelay));
        }

        if (LateTolerance < TimeSpan.Zero)
        {
            throw new ArgumentException("RetryEnvelope.LateTolerance must not be negative.", nameof(LateTolerance));
        }

        if (Multiplier < 1)
        {
            throw new ArgumentException("RetryEnvelope.Multiplier must be at least 1.", nameof(Multiplier));
        }

        if (Jitter is < 0 or > 1)
        {
            throw new ArgumentException("RetryEnvelope.Jitter must be between 0 and 1.", nameof(Jitter));
        }

        if (MaxAttempts is < 1)
        {
            throw new ArgumentException("RetryEnvelope.MaxAttempts must be at least 1.", nameof(MaxAttempts));
        }

        if (SyncThreshold < 2)
        {
            throw new ArgumentException("RetryEnvelope.SyncThreshold must be at least 2.", nameof(SyncThreshold));
        }
    }
}
