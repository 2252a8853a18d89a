namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>Reads a consumer probe's `assigned`/`revoked`/`lost` lines.</summary>
internal static class GroupAssignment
{
    /// <summary>The partitions the member holds after its last rebalance line.</summary>
    public static IReadOnlySet<int> Current(IReadOnlyList<string> lines)
    {
        var held = new HashSet<int>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 2);
            var partitions = parts.Length == 2 && parts[1].Length > 0 ? parts[1].Split(',').Select(int.Parse) : [];
            switch (parts[0])
            {
                case "assigned":
                    held.UnionWith(partitions);
                    break;
                case "revoked" or "lost":
                    held.ExceptWith(partitions);
                    break;
            }
        }

        return held;
    }

    /// <summary>True when every member holds at least one partition and together they hold each of 0..partitions-1 once.</summary>
    public static bool IsStable(IEnumerable<ChildProcess> members, int partitions)
    {
        var held = members.Select(m => Current(m.Lines)).ToList();
        return held.All(h => h.Count > 0)
            && held.Sum(h => h.Count) == partitions
            && held.SelectMany(h => h).ToHashSet().SetEquals(Enumerable.Range(0, partitions));
    }
}
