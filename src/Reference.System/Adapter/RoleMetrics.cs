using System.Text.Json;
using Chaos.Harness.Topology;

namespace Chaos.Reference.Adapter;

/// <summary>
/// One read of a role instance's loopback <c>GET /metrics</c> (docs/reference-system.md; with the admin key the
/// instance was started with, docs/security.md): counter totals and gauge
/// values of its current incarnation, by instrument name. A restarted instance starts again from zero.
/// </summary>
public sealed record RoleMetrics(string Node, int Incarnation, IReadOnlyDictionary<string, double> Counters, IReadOnlyDictionary<string, double> Gauges)
{
    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>A counter's total, 0 when the instrument never recorded.</summary>
    public long Counter(string name) => Counters.TryGetValue(name, out var v) ? (long)v : 0;

    /// <summary>A gauge's value, 0 when the instance never set it.</summary>
    public double Gauge(string name) => Gauges.GetValueOrDefault(name);

    /// <summary>Reads the node's metrics; null when it is not running or does not answer.</summary>
    public static Task<RoleMetrics?> TryReadAsync(ITopologyNode node, CancellationToken cancellationToken) => ReadAsync(node, SharedHttp, cancellationToken);

    /// <summary>Reads the node's metrics with <paramref name="http"/>; null when it is not running or does not answer.</summary>
    public static async Task<RoleMetrics?> ReadAsync(ITopologyNode node, HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(http);
        if (!node.IsRunning || node.Endpoint is not { } endpoint)
        {
            return null;
        }

        var incarnation = node.Incarnation;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint, "/metrics"));
            request.Headers.Authorization = SystemCredentials.AdminAuthorizationOf(node);
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return Parse(node.Name, incarnation, json.RootElement);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
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

    internal static RoleMetrics Parse(string node, JsonElement root) => Parse(node, 0, root);

    private static RoleMetrics Parse(string node, int incarnation, JsonElement root)
    {
        var metrics = root.TryGetProperty("metrics", out var m) ? m : root;
        return new RoleMetrics(node, incarnation, Read(metrics, "counters"), Read(metrics, "gauges"));

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
