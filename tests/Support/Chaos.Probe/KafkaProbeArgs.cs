using System.Globalization;

namespace Chaos.Probe;

/// <summary>`--name value` pairs of the Kafka probe verbs.</summary>
internal sealed class KafkaProbeArgs
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> flags = new(StringComparer.Ordinal);

    public KafkaProbeArgs(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values[args[i][2..]] = args[++i];
            }
            else
            {
                flags.Add(args[i][2..]);
            }
        }
    }

    public string Get(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => flags.Contains(name);
}
