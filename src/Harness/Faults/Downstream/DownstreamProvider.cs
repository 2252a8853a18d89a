using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Chaos.Harness.History;
using Chaos.Harness.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Faults.Downstream;

/// <summary>
/// The jobs' outside dependency — a "payment provider" — hosted by the harness on loopback. The reference system's
/// jobs worker (started with <c>--downstream URL</c>) calls <c>POST /payments</c> once per attempt; the provider refuses
/// a share of the calls for good (422) and fails another share (<see cref="FailStatuses"/> in turn: 500, 502, 503, 504,
/// 429, 408 — every status a caller may retry, so a caller that takes one of them for a refusal shows), drawn from the
/// run's seed, answers after a set
/// latency, or is unreachable (closes every connection unread), as <see cref="Conditions"/> say, and records every
/// call it receives in the history as an event the harness observed itself (<c>f = "call"</c>, docs/history.md). The checkers count a job's attempts from these calls rather than from the
/// attempt numbers the worker stamps (docs/checkers.md, "Numbers the system states").
/// </summary>
public sealed class DownstreamProvider : IAsyncDisposable
{
    /// <summary>The path the jobs worker posts each attempt to.</summary>
    public const string PaymentsPath = "/payments";

    /// <summary>The statuses a failed call is answered with, one after the other by the provider's call number: each
    /// means "try again later" (docs/faults.md, "Downstream and load-shape faults").</summary>
    public static readonly IReadOnlyList<int> FailStatuses =
    [
        StatusCodes.Status500InternalServerError, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable,
        StatusCodes.Status504GatewayTimeout, StatusCodes.Status429TooManyRequests, StatusCodes.Status408RequestTimeout,
    ];

    private const int MaxBodyBytes = 16 * 1024;
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly HistoryWriter? _history;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<CallValue> _calls = new();
    private DownstreamConditions _conditions = DownstreamConditions.Healthy;
    private long _callCount;
    private long _failedCount;
    private long _refusedCount;
    private long _droppedCount;
    private long _abandonedCount;
    private int _disposed;

    private DownstreamProvider(WebApplication app, DownstreamProviderOptions options)
    {
        _app = app;
        _history = options.History;
        _time = options.TimeProvider;
        _random = SeedStreams.Random(options.Seed, SeedStreams.Downstream);
        Address = new Uri("http://127.0.0.1/");
    }

    /// <summary>The provider's base address (what <c>--downstream</c> is given), e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; private set; }

    /// <summary>How the provider answers now.</summary>
    public DownstreamConditions Conditions
    {
        get
        {
            lock (_gate)
            {
                return _conditions;
            }
        }
    }

    /// <summary>Calls received so far.</summary>
    public long CallCount => Interlocked.Read(ref _callCount);

    /// <summary>Calls not accepted so far: failed (a retriable status) or refused (422).</summary>
    public long FailedCount => Interlocked.Read(ref _failedCount);

    /// <summary>Calls refused for good so far (422, outcome <c>refused</c>).</summary>
    public long RefusedCount => Interlocked.Read(ref _refusedCount);

    /// <summary>Connections the provider closed unread so far, while it was unreachable (<see cref="DownstreamConditions.Unreachable"/>):
    /// new ones as soon as they opened, open ones when their next call arrived. A dropped call is not read, so not recorded.</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    /// <summary>Calls the caller gave up on (closed the connection or timed out) before the provider answered.</summary>
    public long AbandonedCount => Interlocked.Read(ref _abandonedCount);

    /// <summary>The counts so far, read together (each is read once; a call in flight may land between two reads).</summary>
    public DownstreamCounts Counts => new(CallCount, FailedCount, RefusedCount, DroppedCount, AbandonedCount);

    /// <summary>Every call received, in arrival order.</summary>
    public IReadOnlyList<CallValue> Calls => [.. _calls];

    /// <summary>Starts the provider, healthy.</summary>
    public static async Task<DownstreamProvider> StartAsync(DownstreamProviderOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"], // no file watcher: nothing here reads configuration files
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        // The owner of the process decides about Ctrl-C and SIGTERM, not this embedded host.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        DownstreamProvider? self = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // while unreachable, a new connection is closed before any request is read (the caller's connect succeeds, its call does not)
            kestrel.Listen(options.Endpoint, listen => listen.Use(next => connection => self is { } provider && provider.Conditions.Unreachable
                ? provider.DropConnection(connection)
                : next(connection)));
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        var app = builder.Build();
        var provider = self = new DownstreamProvider(app, options);
        app.MapPost(PaymentsPath, provider.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return provider;
    }

    /// <summary>Sets how the provider answers from now on (a call already waiting out its latency keeps its answer).</summary>
    public void Configure(DownstreamConditions conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        conditions.Validate();
        lock (_gate)
        {
            _conditions = conditions;
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (Conditions.Unreachable)
        {
            // unreachable: the call on an already open connection is not read, its connection is closed
            Interlocked.Increment(ref _droppedCount);
            http.Abort();
            return;
        }

        string? job, txn, instance;
        int? attempt;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted);
            var root = body.RootElement;
            job = root.ValueKind == JsonValueKind.Object ? Text(root, "job") : null;
            txn = job is null ? null : Text(root, "txn");
            instance = job is null ? null : Text(root, "instance");
            attempt = job is not null && root.TryGetProperty("attempt", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetInt32(out var n) ? n : null;
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            job = txn = instance = null;
            attempt = null;
        }

        if (string.IsNullOrEmpty(job))
        {
            // not a call the provider can attribute to a job: refused, not recorded (a caller's bug, visible in its log)
            await Reply(http, StatusCodes.Status400BadRequest, CallValue.Fail, null, "a payment call needs a JSON body with a 'job' string");
            return;
        }

        DownstreamConditions conditions;
        string outcome;
        string id;
        int status;
        lock (_gate)
        {
            conditions = _conditions;
            outcome = Draw(conditions);
            var number = Interlocked.Increment(ref _callCount);
            id = "c" + number.ToString(CultureInfo.InvariantCulture);
            status = outcome switch
            {
                CallValue.Ok => StatusCodes.Status200OK,
                CallValue.Refused => StatusCodes.Status422UnprocessableEntity,
                _ => FailStatuses[(int)((number - 1) % FailStatuses.Count)],
            };
            if (outcome != CallValue.Ok)
            {
                Interlocked.Increment(ref _failedCount);
            }

            if (outcome == CallValue.Refused)
            {
                Interlocked.Increment(ref _refusedCount);
            }

            // recorded under the same lock as the draw, so the history's call order is the draw order
            // heldMs: the hold below, so a checker knows when the answer left (the retry-late rule starts its clock there)
            var held = conditions.Latency > TimeSpan.Zero ? (long?)Math.Ceiling(conditions.Latency.TotalMilliseconds) : null;
            var call = new CallValue(id, job, outcome, attempt, txn, instance, status, held);
            _calls.Enqueue(call);
            _history?.Record(HistoryOps.DownstreamProcess, HistoryEventType.Ok, HistoryOps.Call, call);
        }

        try
        {
            if (conditions.Latency > TimeSpan.Zero)
            {
                await Task.Delay(conditions.Latency, _time, http.RequestAborted);
            }

            var error = outcome switch
            {
                CallValue.Ok => null,
                CallValue.Refused => "payment declined (injected 422: do not retry)",
                _ => $"downstream unavailable (injected {status}: try again later)",
            };
            await Reply(http, status, outcome, id, error);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // the caller gave up (timeout, or its process died): the call was received and stays recorded
            Interlocked.Increment(ref _abandonedCount);
        }
    }

    /// <summary>One draw per call (none when nothing can fail, so a healthy provider's stream stays where it was):
    /// refused below the refusal rate, failed below refusal + failure rate. Called under the gate.</summary>
    private string Draw(DownstreamConditions conditions)
    {
        if (conditions.FailureRate + conditions.RefusalRate <= 0)
        {
            return CallValue.Ok;
        }

        var u = _random.NextDouble();
        return u < conditions.RefusalRate ? CallValue.Refused
            : u < conditions.RefusalRate + conditions.FailureRate ? CallValue.Fail
            : CallValue.Ok;
    }

    private Task DropConnection(ConnectionContext connection)
    {
        Interlocked.Increment(ref _droppedCount);
        connection.Abort(new ConnectionAbortedException("the downstream provider is unreachable (injected)"));
        return Task.CompletedTask;
    }

    private static Task Reply(HttpContext http, int status, string? outcome, string? id, string? error)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { call = id, outcome, error }, http.RequestAborted);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Stops listening; calls in flight are cut.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using (var stopping = new CancellationTokenSource(StopLimit))
        {
            await _app.StopAsync(stopping.Token);
        }

        await _app.DisposeAsync();
    }

    /// <inheritdoc/>
    public override string ToString() => $"downstream provider at {Address} ({Conditions}; {CallCount} calls, {FailedCount} failed)";
}
