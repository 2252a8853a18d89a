using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chaos.Harness.Faults.Failpoints;

/// <summary>
/// The reference system's loopback admin API for failpoints on one role instance: <c>POST /admin/failpoints</c>
/// <c>{"spec": "..."}</c> arms, <c>GET</c> lists (with hit counts), <c>DELETE /admin/failpoints/{name}</c> disarms.
/// </summary>
public sealed class FailpointClient(HttpClient http)
{
    /// <summary>Arms the failpoint; throws <see cref="InvalidOperationException"/> with the role's answer when it refuses.</summary>
    public async Task ArmAsync(Uri endpoint, FailpointSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(settings);
        using var response = await http.PostAsJsonAsync(new Uri(endpoint, "/admin/failpoints"), new { spec = settings.Spec }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"arming failpoint '{settings.Spec}' at {endpoint} answered {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>How often the armed failpoint was hit since arming; null when it is not armed.</summary>
    public async Task<int?> HitsAsync(Uri endpoint, string point, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var list = await http.GetFromJsonAsync<JsonElement>(new Uri(endpoint, "/admin/failpoints"), cancellationToken);
        foreach (var item in list.EnumerateArray())
        {
            if (item.TryGetProperty("name", out var name) && name.GetString() == point && item.TryGetProperty("hits", out var hits))
            {
                return hits.GetInt32();
            }
        }

        return null;
    }

    /// <summary>Disarms the failpoint; false when it was not armed.</summary>
    public async Task<bool> DisarmAsync(Uri endpoint, string point, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var response = await http.DeleteAsync(new Uri(endpoint, "/admin/failpoints/" + Uri.EscapeDataString(point)), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }
}
