namespace Chaos.Harness.History;

/// <summary>
/// The named shapes of generated history the checker is measured on (docs/checkers.md, "Performance"): the same number
/// of events spread over many users with few events each, a few users with many, heavy fan-out, and many devices.
/// The event count and seed are the caller's.
/// </summary>
public static class SyntheticHistoryShapes
{
    /// <summary>100 users × 2 devices, 16 senders, one send in ten to two users: the shape measured first.</summary>
    public static SyntheticHistoryOptions Standard { get; } = new() { Users = 100, DevicesPerUser = 2, Senders = 16, Accounts = 20 };

    /// <summary>20,000 users × 2 devices: about 12 sends each in a million events, 40,000 device streams.</summary>
    public static SyntheticHistoryOptions ManyUsers { get; } = Standard with { Users = 20_000 };

    /// <summary>3 users × 2 devices: six device streams of ~150,000 deliveries each.</summary>
    public static SyntheticHistoryOptions FewUsers { get; } = Standard with { Users = 3 };

    /// <summary>1,000 users × 2 devices, half the sends to a group of 50: most events are deliveries of group sends.</summary>
    public static SyntheticHistoryOptions FanOut { get; } = Standard with { Users = 1_000, GroupFraction = 0.5, GroupSize = 50 };

    /// <summary>500 users × 20 devices: 10,000 device streams, every send delivered 20 times.</summary>
    public static SyntheticHistoryOptions ManyDevices { get; } = Standard with { Users = 500, DevicesPerUser = 20 };

    /// <summary>Every shape by name, in the order the docs list them.</summary>
    public static IReadOnlyDictionary<string, SyntheticHistoryOptions> ByName { get; } = new Dictionary<string, SyntheticHistoryOptions>(StringComparer.Ordinal)
    {
        ["standard"] = Standard,
        ["many-users"] = ManyUsers,
        ["few-users"] = FewUsers,
        ["fan-out"] = FanOut,
        ["many-devices"] = ManyDevices,
    };
}
