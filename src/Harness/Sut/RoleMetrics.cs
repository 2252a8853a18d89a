using System.Net.Http.Json;
using System.Text.Json;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Sut;

/// <summary>
/// One read of a role instance's loopback <c>/metrics</c> (counter totals and gauge values of its current incarnation;
/// a restarted instance starts again from zero).
/// </summary>
public sealed record RoleMetrics(string Node, int Incarnation, IReadOnlyDictionary<string, double> Counters, IReadOnlyDictionary<string, double> Gauges)
{
    /// <summary>A counter's total, 0 when the instance never counted it.</summary>
    public double Counter(string name) => Counters.GetValueOrDefault(name);

    /// <summary>A gauge's value, 0 when the instance never set it.</summary>
    public double Gauge(string name) => Gauges.GetValueOrDefault(name);

    /// <summary>Reads the node's /metrics; null when it is not running or does not answer.</summary>
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
            var json = await http.GetFromJsonAsync<JsonElement>(new Uri(endpoint, "/metrics"), cancellationToken);
            var metrics = json.GetProperty("metrics");
            return new RoleMetrics(node.Name, incarnation, Numbers(metrics, "counters"), Numbers(metrics, "gauges"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        static Dictionary<string, double> Numbers(JsonElement metrics, string section)
        {
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            if (metrics.TryGetProperty(section, out var values) && values.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in values.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Number)
                    {
                        result[p.Name] = p.Value.GetDouble();
                    }
                }
            }

            return result;
        }
    }
}
