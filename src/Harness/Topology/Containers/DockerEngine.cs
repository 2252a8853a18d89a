using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using Docker.DotNet;

namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// Finds the Docker engine (DOCKER_HOST or /var/run/docker.sock), asks it which API version it speaks, and
/// prepares the environment Testcontainers reads: Debian's Docker 20.10 speaks API 1.41 and Testcontainers 4.x
/// refuses it unless DOCKER_API_VERSION says so; Ryuk (Testcontainers' own reaper) is off because its image
/// cannot be pulled everywhere and <see cref="ContainerReaper"/> does its job.
/// </summary>
public sealed class DockerEngine
{
    /// <summary>The newest API version the client library speaks by default; older engines get theirs.</summary>
    private static readonly Version ClientApiVersion = new(1, 44);

    private DockerEngine(Uri endpoint, Version apiVersion, string serverVersion)
    {
        Endpoint = endpoint;
        ApiVersion = apiVersion;
        ServerVersion = serverVersion;
    }

    public Uri Endpoint { get; }

    /// <summary>The API version used with this engine (the lower of the engine's and the client's).</summary>
    public Version ApiVersion { get; }

    /// <summary>The engine's version string, e.g. <c>20.10.24+dfsg1</c>.</summary>
    public string ServerVersion { get; }

    /// <summary>The engine endpoint: DOCKER_HOST, else the default unix socket.</summary>
    public static Uri DefaultEndpoint() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? new Uri(host) : new Uri("unix:///var/run/docker.sock");

    /// <summary>
    /// Connects to the engine and reads its version; throws <see cref="DockerUnavailableException"/> saying what is
    /// missing and how to get it. Sets DOCKER_API_VERSION (when unset and the engine is older than the client) and
    /// TESTCONTAINERS_RYUK_DISABLED (when unset) for this process.
    /// </summary>
    public static async Task<DockerEngine> ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var endpoint = DefaultEndpoint();
        VersionAnswer answer;
        try
        {
            if (endpoint.Scheme == "unix" && !File.Exists(endpoint.AbsolutePath))
            {
                throw new IOException($"the socket {endpoint.AbsolutePath} does not exist");
            }

            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            using var http = CreateHttpClient(endpoint);
            answer = await http.GetFromJsonAsync<VersionAnswer>("/version", bounded.Token)
                ?? throw new DockerUnavailableException($"the Docker engine at {endpoint} answered /version with nothing");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or NotSupportedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new DockerUnavailableException(
                $"no Docker engine answers at {endpoint} ({ex.Message}). The containers topology needs one: install it "
                + "(Debian: apt-get install docker.io) and start it (systemctl start docker, or dockerd & as root), "
                + "or set DOCKER_HOST; then build the images with deploy/containers/build-images.sh. "
                + "Without Docker use --topology processes.",
                ex);
        }

        var engineApi = Version.TryParse(answer.ApiVersion, out var v) ? v : ClientApiVersion;
        var api = engineApi < ClientApiVersion ? engineApi : ClientApiVersion;
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_API_VERSION")) && engineApi < ClientApiVersion)
        {
            Environment.SetEnvironmentVariable("DOCKER_API_VERSION", engineApi.ToString(2));
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED")))
        {
            Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        }

        return new DockerEngine(endpoint, api, answer.Version ?? "?");
    }

    /// <summary>A Docker.DotNet client for the operations Testcontainers does not offer (kill with a signal, wait, logs, list by label).</summary>
    public DockerClient CreateClient() => new DockerClientBuilder().WithEndpoint(Endpoint).WithApiVersion(ApiVersion).Build();

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Docker {ServerVersion} at {Endpoint} (API {ApiVersion.ToString(2)})");

    private static HttpClient CreateHttpClient(Uri endpoint)
    {
        if (endpoint.Scheme == "unix")
        {
            var socketPath = endpoint.AbsolutePath;
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            return new HttpClient(handler) { BaseAddress = new Uri("http://docker") };
        }

        if (endpoint.Scheme == "tcp" || endpoint.Scheme == "http")
        {
            return new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new UriBuilder(endpoint) { Scheme = "http" }.Uri };
        }

        throw new NotSupportedException($"DOCKER_HOST scheme '{endpoint.Scheme}' is not supported (unix:// or tcp:// without TLS)");
    }

    private sealed record VersionAnswer(
        [property: JsonPropertyName("Version")] string? Version,
        [property: JsonPropertyName("ApiVersion")] string? ApiVersion);
}
