namespace Chaos.Harness.Workload;

/// <summary>What the final drain achieved; a run whose drain did not finish cannot be judged valid.</summary>
public sealed class DrainOutcome
{
    public bool JobsSettled { get; set; }

    public bool DevicesCaughtUp { get; set; }

    public int Synced { get; set; }

    public int JobsRead { get; set; }

    public int AccountsRead { get; set; }

    public bool Finished => JobsSettled && DevicesCaughtUp;

    public override string ToString() =>
        $"jobs settled: {JobsSettled}, devices caught up: {DevicesCaughtUp}, synced devices: {Synced}, jobs read: {JobsRead}, accounts read: {AccountsRead}";
}
