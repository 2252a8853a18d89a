using System.Net;
using System.Net.Sockets;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;

namespace Chaos.Reference.Jobs;

/// <summary>
/// The downstream as an outside HTTP service (<c>--downstream URL</c>): <c>POST {URL}/payments</c> with the
/// <see cref="DownstreamCall"/> once per attempt, the transaction id as <c>Idempotency-Key</c>. 2xx is success;
/// 5xx, 408, 429, a refused or closed connection or no answer within <see cref="CallTimeout"/> are transient; any other 4xx
/// is permanent. A chaos run points it at the harness's provider, which records every call it receives.
/// </summary>
internal sealed class HttpDownstream : IDownstream, IDisposable
{
    /// <summary>How long one call may take before it counts as a transient failure.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    public HttpDownstream(Uri baseAddress, TimeProvider time)
    {
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task CallAsync(DownstreamCall call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "payments") { Content = JsonContent.Create(call, options: Json.Options) };
            request.Headers.Add("Idempotency-Key", call.Txn);
            using var response = await _http.SendAsync(request, linked.Token);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var status = (int)response.StatusCode;
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            {
                throw new TransientDownstreamException($"downstream answered {status}");
            }

            throw new PermanentDownstreamException($"downstream refused the call: {status}");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            // SocketException too: a connection closed while SocketsHttpHandler connects can surface unwrapped (ENOTCONN
            // from reading its remote end point) — found by downstream-down, which killed the worker (docs/faults.md)
            FailurePaths.JobsDownstreamUnreachable.Hit();
            throw new TransientDownstreamException("downstream unreachable: " + e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            FailurePaths.JobsDownstreamTimeout.Hit();
            throw new TransientDownstreamException($"downstream did not answer within {CallTimeout.TotalSeconds:0} s", e);
        }
    }

    public void Dispose() => _http.Dispose();
}
