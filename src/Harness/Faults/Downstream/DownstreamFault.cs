using System.Globalization;
using System.Net.Http.Json;
using Chaos.Harness.Sut;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Downstream;

/// <summary>
/// The jobs role's simulated downstream dependency fails and/or slows down: set through each jobs instance's
/// loopback <c>/admin/downstream</c> endpoint (with the admin key the instance was started with); healed by setting it back to healthy. The only simulated part of a run:
/// an outside provider the reference system calls, under the harness's control.
/// </summary>
public sealed class DownstreamFault(IReadOnlyList<ITopologyNode> jobs, double failureRate, int latencyMs, string name = "downstream") : IFault
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public string Name => name;

    public string Target => "jobs";

    public double FailureRate => failureRate;

    public int LatencyMs => latencyMs;

    public Task ApplyAsync(CancellationToken cancellationToken) => SetAsync(failureRate, latencyMs, cancellationToken);

    public Task HealAsync(CancellationToken cancellationToken) => SetAsync(0, 0, cancellationToken, bestEffort: true);

    private async Task SetAsync(double rate, int latency, CancellationToken cancellationToken, bool bestEffort = false)
    {
        foreach (var node in jobs)
        {
            if (!node.IsRunning || node.Endpoint is null)
            {
                continue; // a restarted instance starts healthy
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node.Endpoint, "/admin/downstream"))
                {
                    Content = JsonContent.Create(new { failureRate = rate, latencyMs = latency }),
                };
                request.Headers.Authorization = SystemCredentials.AdminAuthorizationOf(node);
                using var response = await Http.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
            catch (HttpRequestException) when (bestEffort)
            {
                // healing an instance that died meanwhile: nothing left to heal there
            }
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{name}: failure rate {failureRate:0.##}, latency {latencyMs} ms on {jobs.Count} jobs instance(s)");
}
