namespace Chaos.Harness.Topology;

/// <summary>
/// What a topology lends each of its nodes, whichever back-end runs them: the clock, the health poll and exit timeouts,
/// the loopback policy, and the health probe (one HTTP client per topology, never through an environment proxy).
/// </summary>
internal sealed class NodeHost : IDisposable
{
    private readonly HttpClient http;
    private readonly TimeSpan healthRequestTimeout;

    public NodeHost(TimeProvider timeProvider, TimeSpan healthPollInterval, TimeSpan healthRequestTimeout, TimeSpan exitTimeout, bool allowRemote)
    {
        TimeProvider = timeProvider;
        HealthPollInterval = healthPollInterval;
        ExitTimeout = exitTimeout;
        AllowRemote = allowRemote;
        this.healthRequestTimeout = healthRequestTimeout;

        // No proxy: health checks go to loopback and must never be routed through an environment proxy.
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero, ConnectTimeout = healthRequestTimeout })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public TimeProvider TimeProvider { get; }

    public TimeSpan HealthPollInterval { get; }

    /// <summary>How long an exit may take to be observed after SIGKILL.</summary>
    public TimeSpan ExitTimeout { get; }

    public bool AllowRemote { get; }

    /// <summary>One GET of <paramref name="url"/> (a loopback address unless remote targets are allowed): true on 2xx,
    /// false on no answer within the request timeout or a failed request.</summary>
    public async Task<bool> ProbeAsync(Uri url, CancellationToken cancellationToken)
    {
        LoopbackGuard.EnsureAllowed(url.ToString(), AllowRemote, "health check");
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(healthRequestTimeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, bounded.Token);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => http.Dispose();
}
