namespace Chaos.Harness.Workload;

/// <summary>
/// What the final drain achieved. It is finished when every device's sync, every job's state and every balance
/// was read: then loss is decidable. Waiting for live catch-up and for terminal job states is bounded courtesy —
/// a device still behind, or a job still pending, after the bound is exactly what unseen and lost-job report. A wait
/// is null when the drain's time ran out before it ended (shown as "out of time").
/// </summary>
public sealed class DrainOutcome
{
    public bool? JobsSettled { get; set; }

    public bool? DevicesCaughtUp { get; set; }

    /// <summary>Whether every user's inbox came to hold as many entries as sends to them were acknowledged (bounded).</summary>
    public bool? InboxesSettled { get; set; }

    /// <summary>Whether every consumer group came to have consumed and committed everything on its topic (bounded).</summary>
    public bool? ConsumersCaughtUp { get; set; }

    /// <summary>Each consumer group's lag when the drain last looked (e.g. <c>notifier/fanout 0, jobs/jobs 0</c>), or why it could not be read.</summary>
    public string ConsumerLag { get; set; } = "not read";

    public int Synced { get; set; }

    public int JobsRead { get; set; }

    public int AccountsRead { get; set; }

    public int Devices { get; set; }

    public int Jobs { get; set; }

    public int Accounts { get; set; }

    public bool Finished => Synced == Devices && JobsRead == Jobs && AccountsRead == Accounts;

    public override string ToString() =>
        $"jobs settled: {Show(JobsSettled)}, inboxes settled: {Show(InboxesSettled)}, consumers caught up: {Show(ConsumersCaughtUp)} ({ConsumerLag}), devices caught up: {Show(DevicesCaughtUp)}, synced devices: {Synced}, jobs read: {JobsRead}, accounts read: {AccountsRead}";

    /// <summary>True / False for a wait that ended, "out of time" for one the drain's time ran out in or before.</summary>
    private static string Show(bool? waited) => waited?.ToString() ?? "out of time";
}
