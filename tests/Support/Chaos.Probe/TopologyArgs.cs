using System.Globalization;

namespace Chaos.Probe;

/// <summary>Tiny `--name value` / `--flag` parser for the topology verbs.</summary>
internal sealed class TopologyArgs(string[] args)
{
    public bool Flag(string name) => args.Contains("--" + name, StringComparer.Ordinal);

    public string? Value(string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public int Int(string name, int fallback) =>
        Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
