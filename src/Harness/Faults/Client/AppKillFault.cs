using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Client;

/// <summary>
/// The app is killed (socket cut, client gone; nothing it held in memory survives) and, at heal, started again: a new
/// client that resumes from the last sequence it persisted, recorded under the same device. Needs a persistent
/// sequence store (<see cref="ChatWorkloadOptions.PersistSequences"/>). Heal is idempotent.
/// </summary>
public sealed class AppKillFault(VirtualDevice device) : IFault
{
    public string Name => "app-kill";

    public string Target => device.Process;

    /// <summary>The last sequence the killed app had handled (null before apply).</summary>
    public long? SequenceAtKill { get; private set; }

    /// <summary>True once the app was started again after a kill.</summary>
    public bool Restarted { get; private set; }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await device.KillAppAsync(cancellationToken);
        SequenceAtKill = device.Client.LastSequence;
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (!device.IsAppRunning)
        {
            await device.RestartAppAsync(cancellationToken);
            Restarted = true;
        }
    }
}
