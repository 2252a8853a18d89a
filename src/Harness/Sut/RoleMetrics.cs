using System.Text.Json;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Sut;

/// <summary>
/// One read of a role instance's loopback <c>GET /metrics</c> (docs/reference-system.md): counter totals and gauge
/// values by instrument name. Counters restart from zero when the process restarts.
/// </summary>
public sealed class RoleMetrics
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private RoleMetrics(string node, IReadOnlyDictionary<string, double> counters, IReadOnlyDictionary<string, double> gauges)
    {
        Node = node;
        Counters = counters;
        Gauges = gauges;
    }

    /// <summary>The topology node the metrics were read from.</summary>
    public string Node { get; }

    public IReadOnlyDictionary<string, double> Counters { get; }

    public IReadOnlyDictionary<string, double> Gauges { get; }

    /// <summary>A counter's total, 0 when the instrument never recorded.</summary>
    public long Counter(string name) => Counters.TryGetValue(name, out var v) ? (long)v : 0;

    /// <summary>Reads the node's metrics; null when it is not running or does not answer.</summary>
    public static async Task<RoleMetrics?> TryReadAsync(ITopologyNode node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!node.IsRunning || node.Endpoint is not { } endpoint)
        {
            return null;
        }

        try
        {
            using var response = await Http.GetAsync(new Uri(endpoint, "/metrics"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return Parse(node.Name, json.RootElement);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads every node's metrics in parallel, skipping the ones that do not answer.</summary>
    public static async Task<IReadOnlyList<RoleMetrics>> ReadAllAsync(IEnumerable<ITopologyNode> nodes, CancellationToken cancellationToken)
    {
        var reads = await Task.WhenAll(nodes.Select(n => TryReadAsync(n, cancellationToken)));
        return [.. reads.OfType<RoleMetrics>()];
    }

    internal static RoleMetrics Parse(string node, JsonElement root)
    {
        var metrics = root.TryGetProperty("metrics", out var m) ? m : root;
        return new RoleMetrics(node, Read(metrics, "counters"), Read(metrics, "gauges"));

        static Dictionary<string, double> Read(JsonElement metrics, string section)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            if (metrics.TryGetProperty(section, out var obj) && obj.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in obj.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Number)
                    {
                        values[p.Name] = p.Value.GetDouble();
                    }
                }
            }

            return values;
        }
    }
}
