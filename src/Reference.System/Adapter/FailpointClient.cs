using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chaos.Harness.Faults.Failpoints;

namespace Chaos.Reference.Adapter;

/// <summary>
/// The reference system's loopback admin API for failpoints on one role instance: <c>POST /admin/failpoints</c>
/// <c>{"spec": "..."}</c> arms, <c>GET</c> lists (with hit counts), <c>DELETE /admin/failpoints/{name}</c> disarms.
/// Every request carries <paramref name="adminKey"/> (<c>Authorization: AdminKey</c>, docs/security.md).
/// </summary>
public sealed class FailpointClient(HttpClient http, string? adminKey)
{
    /// <summary>Arms the failpoint; throws <see cref="InvalidOperationException"/> with the role's answer when it refuses.</summary>
    public async Task ArmAsync(Uri endpoint, FailpointSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(settings);
        using var request = Request(HttpMethod.Post, new Uri(endpoint, "/admin/failpoints"));
        request.Content = JsonContent.Create(new { spec = settings.Spec });
        using var response = await http.SendAsync(request, cancellationToken);
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
        using var request = Request(HttpMethod.Get, new Uri(endpoint, "/admin/failpoints"));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var list = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
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
        using var request = Request(HttpMethod.Delete, new Uri(endpoint, "/admin/failpoints/" + Uri.EscapeDataString(point)));
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    private HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        if (adminKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(SystemCredentials.AdminScheme, adminKey);
        }

        return request;
    }
}
