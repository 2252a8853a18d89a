using System.Net.Http.Json;
using System.Text.Json;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Sut;

/// <summary>Reads a role instance's counters from its loopback-only <c>GET /metrics</c> (docs/reference-system.md).</summary>
public static class RoleMetricsReader
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The counter's total since the instance's current incarnation started; 0 when it was never incremented; null when unreadable.</summary>
    public static async Task<double?> ReadCounterAsync(ITopologyNode node, string counter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Endpoint is not { } endpoint)
        {
            return null;
        }

        try
        {
            var json = await Http.GetFromJsonAsync<JsonElement>(new Uri(endpoint, "/metrics"), cancellationToken);
            return json.GetProperty("metrics").GetProperty("counters").TryGetProperty(counter, out var value) ? value.GetDouble() : 0;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or TaskCanceledException)
        {
            return null;
        }
    }
}
