namespace Chaos.Harness.Workload;

/// <summary>The shape of the chat / notification / job load a run puts on the reference system.</summary>
public sealed record ChatWorkloadOptions
{
    /// <summary>Virtual users (u1..uN). The defaults make a loaded run: 1,000 devices, about 2,000 deliveries/s
    /// (docs/load.md, "Defaults").</summary>
    public int Users { get; init; } = 500;

    /// <summary>Devices per user (d1..dM), each its own client connection.</summary>
    public int Devices { get; init; } = 2;

    /// <summary>Sends (chat messages and notifications) per second.</summary>
    public double Rate { get; init; } = 300;

    /// <summary>Job submissions per second (credit-account jobs); 0 for none.</summary>
    public double JobRate { get; init; } = 5;

    /// <summary>Fraction of jobs submitted with an invalid payload (amount 0): poison, to be dead-lettered at once.</summary>
    public double PoisonJobRate { get; init; }

    /// <summary>Accounts the jobs credit.</summary>
    public int Accounts { get; init; } = 5;

    /// <summary>Most recipients of one chat message (a conversation of 1..N members).</summary>
    public int MaxRecipients { get; init; } = 8;

    /// <summary>A request still unanswered after this is recorded as <c>info</c> (outcome unknown).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times a sender sends a chat message or notification again, with the same id and idempotency key, after
    /// its request ended <c>info</c> (timed out, cut, or a 5xx) — as a real client does; 0 never. Each try goes to the
    /// next api instance after <see cref="RetryDelay"/> × its number, and is its own invoke / outcome in the history
    /// under a new process (Jepsen: a process whose operation ended <c>info</c> never runs again). A system that
    /// deduplicates by key writes the message once; one that does not delivers it twice (docs/load.md, "Senders").
    /// </summary>
    public int RetryUnknownSends { get; init; }

    /// <summary>The wait before a send's first retry; the k-th waits k times as long.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The client library drops redelivered duplicates (off only for the client-no-dedupe defect).</summary>
    public bool ClientDropsDuplicates { get; init; } = true;

    /// <summary>Devices connect through one fault proxy per gateway instance (the run starts them; see RunContext.Proxies).</summary>
    public bool ProxyGateways { get; init; }

    /// <summary>
    /// Where devices persist their last sequence (one small file each, so a restarted app resumes from it); null keeps
    /// it in memory. The run sets it to a folder of the run when <see cref="PersistSequences"/> is on.
    /// </summary>
    public string? SequenceDirectory { get; init; }

    /// <summary>Ask the run for a <see cref="SequenceDirectory"/> in its run folder.</summary>
    public bool PersistSequences { get; init; }

    /// <summary>
    /// A device persists its position every Nth frame only (apps batch such writes), so a resume replays up to N−1
    /// frames the client already handled and must drop. 1 persists every frame.
    /// </summary>
    public int SequenceSaveEvery { get; init; } = 1;

    /// <summary>The clients' <c>GapTimeout</c>: how long a device asks for a gap to be filled before it moves on (null: forever).</summary>
    public TimeSpan? GapTimeout { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (Users is < 1 or > 5000)
        {
            throw new ArgumentException($"users must be within 1..5000, was {Users}", nameof(Users));
        }

        if (Devices is < 1 or > 16)
        {
            throw new ArgumentException($"devices must be within 1..16, was {Devices}", nameof(Devices));
        }

        if (!(Rate > 0 && Rate <= 20_000))
        {
            throw new ArgumentException($"rate must be within (0, 20000] sends/s, was {Rate}", nameof(Rate));
        }

        if (!(JobRate >= 0 && JobRate <= 5_000))
        {
            throw new ArgumentException($"job rate must be within [0, 5000] jobs/s, was {JobRate}", nameof(JobRate));
        }

        if (!(PoisonJobRate >= 0 && PoisonJobRate <= 1))
        {
            throw new ArgumentException($"poison job rate must be within [0, 1], was {PoisonJobRate}", nameof(PoisonJobRate));
        }

        if (Accounts < 1)
        {
            throw new ArgumentException($"accounts must be at least 1, was {Accounts}", nameof(Accounts));
        }

        if (SequenceSaveEvery is < 1 or > 1000)
        {
            throw new ArgumentException($"sequence save interval must be within 1..1000 frames, was {SequenceSaveEvery}", nameof(SequenceSaveEvery));
        }

        if (MaxRecipients < 1)
        {
            throw new ArgumentException($"max recipients must be at least 1, was {MaxRecipients}", nameof(MaxRecipients));
        }

        if (RetryUnknownSends is < 0 or > 5)
        {
            throw new ArgumentException($"retries of unknown sends must be within 0..5, was {RetryUnknownSends}", nameof(RetryUnknownSends));
        }

        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentException($"retry delay must be within 0..30 s, was {RetryDelay}", nameof(RetryDelay));
        }
    }
}
