using System.Globalization;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Schedules name devices abstractly, as <c>device#k</c> (the run's shape, and so its device names, is only known at
/// run time): device k is the (k−1 mod n)-th of the run's n devices, or of those behind one gateway proxy.
/// </summary>
internal static class DevicePick
{
    public const int Slots = 8;

    public static IReadOnlyList<string> Targets { get; } = [.. Enumerable.Range(1, Slots).Select(Target)];

    public static string Target(int k) => "device#" + k.ToString(CultureInfo.InvariantCulture);

    public static VirtualDevice Resolve(FaultScheduleEntry entry, IReadOnlyList<VirtualDevice> devices)
    {
        var text = entry.Parameters.TryGetValue("device", out var p) ? p : entry.Target.StartsWith("device#", StringComparison.Ordinal) ? entry.Target["device#".Length..] : null;
        if (text is null || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
        {
            throw new ArgumentException($"fault '{entry.Fault}' at {entry.At}: '{entry.Target}' names no device (device#1..device#{Slots})");
        }

        if (devices.Count == 0)
        {
            throw new ArgumentException($"fault '{entry.Fault}' at {entry.At}: there is no device to act on");
        }

        return devices[(k - 1) % devices.Count];
    }

    /// <summary>Distinct slots 1..<see cref="Slots"/> in a seeded order.</summary>
    public static int[] Shuffled(Random rng)
    {
        var slots = Enumerable.Range(1, Slots).ToArray();
        rng.Shuffle(slots);
        return slots;
    }
}
