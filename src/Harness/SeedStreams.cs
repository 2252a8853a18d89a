using System.Text;
using Chaos.Harness.Load;

namespace Chaos.Harness;

/// <summary>
/// The one derivation of a run's random streams from its seed: stream <c>name</c>'s <c>index</c>-th seed is
/// SplitMix64's finaliser over the run seed, the FNV-1a hash of the name and the index, so streams of one run are
/// independent of each other and of every other run's. Before it, each stream mixed the seed its own way: the job
/// arrival stream of seed N was the send arrival stream of seed N+1 (<c>Seed + 1</c>; it moved nothing while runs use
/// evenly spaced arrivals, and would have with Poisson ones), and every device's client drew the same reconnect
/// jitter sequence (inferred from the code, not measured as lockstep). docs/running.md, "Seeds".
/// </summary>
public static class SeedStreams
{
    /// <summary>Send arrivals of the open-model load.</summary>
    public const string Sends = "load.sends";

    /// <summary>Job arrivals of the open-model load.</summary>
    public const string Jobs = "load.jobs";

    /// <summary>One send's content (recipients, conversation); indexed by the send's number.</summary>
    public const string SendContent = "workload.send";

    /// <summary>One job's content (account, amount); indexed by the job's number.</summary>
    public const string JobContent = "workload.job";

    /// <summary>One device's client (its reconnect jitter); named per device.</summary>
    public static string Client(string user, string device) => $"workload.client:{user}/{device}";

    /// <summary>One node of the system under test (its <c>--seed</c>: a failpoint's probability draws, its jitter); named per node.</summary>
    public static string Node(string name) => $"node:{name}";

    /// <summary>The jobs' downstream provider the harness hosts (which calls fail, how late).</summary>
    public const string Downstream = "downstream.provider";

    /// <summary>The run's fault proxy; each proxied connection's two directions are its draws 2·id and 2·id + 1.</summary>
    public const string Proxy = "proxy";

    /// <summary>A record replay fault (which records it replays); indexed by the entry's start in milliseconds.</summary>
    public const string Replay = "fault.replay";

    /// <summary>A burst of sends (their arrivals); indexed by the entry's start in ticks.</summary>
    public const string Burst = "fault.burst";

    /// <summary>The 64-bit seed of stream <paramref name="name"/>, draw <paramref name="index"/>, in the run of <paramref name="runSeed"/>.</summary>
    public static long Derive(long runSeed, string name, long index = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hash = 0xCBF29CE484222325UL; // FNV-1a, 64-bit
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = unchecked((hash ^ b) * 0x100000001B3UL);
        }

        var z = Mix(unchecked((ulong)runSeed));
        z = Mix(z ^ hash);
        z = Mix(z ^ unchecked((ulong)index));
        return unchecked((long)z);
    }

    /// <summary><see cref="Derive"/> folded to the 32 bits <c>new Random(int)</c> takes.</summary>
    public static int DeriveInt(long runSeed, string name, long index = 0)
    {
        var z = unchecked((ulong)Derive(runSeed, name, index));
        return unchecked((int)(z ^ (z >> 32)));
    }

    /// <summary>A <see cref="System.Random"/> for stream <paramref name="name"/>, draw <paramref name="index"/>.</summary>
    public static Random Random(long runSeed, string name, long index = 0) => new(DeriveInt(runSeed, name, index));

    // one step of SplitMix64 (Load/SplitMix64) from state x: its increment and finaliser (Steele, Lea, Flood 2014)
    private static ulong Mix(ulong x) => new SplitMix64(unchecked((long)x)).NextUInt64();
}
