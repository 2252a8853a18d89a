namespace Chaos.Scenarios.Catalog;

/// <summary>Small deterministic choices from a run's seed for scripted timelines (the same seed, the same picks).</summary>
internal static class SeedPick
{
    /// <summary>A value in [0, <paramref name="count"/>) derived from the seed and a per-choice salt (SplitMix64's finaliser).</summary>
    public static int Of(long seed, int salt, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var z = unchecked((ulong)seed + ((ulong)salt * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z % (ulong)count);
    }
}
