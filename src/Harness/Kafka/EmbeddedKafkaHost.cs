using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Kafka;

/// <summary>
/// Owns a <c>chaos kafka</c> process: starts it, waits for its bootstrap line, exposes its faults
/// through the control channel, and kills its process tree on dispose. When the host exits while
/// still needed (a librdkafka assert aborts it), <see cref="Failure"/> faults and every fault call
/// throws an <see cref="EmbeddedKafkaHostException"/> carrying the tail of its stderr.
/// </summary>
public sealed class EmbeddedKafkaHost : IKafkaFaults, IAsyncDisposable
{
    private readonly Process process;
    private readonly EmbeddedKafkaHostOptions options;
    private readonly Queue<string> stderrTail = new();
    private readonly Lock gate = new();
    private readonly Task stdoutPump;
    private readonly Task stderrPump;
    private readonly TaskCompletionSource<(IPEndPoint Control, string Bootstrap)> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IPEndPoint? control;
    private KafkaControlClient? client;
    private volatile bool disposing;

    private EmbeddedKafkaHost(Process process, EmbeddedKafkaHostOptions options)
    {
        this.process = process;
        this.options = options;
        stdoutPump = PumpAsync(process.StandardOutput, OnStdout);
        stderrPump = PumpAsync(process.StandardError, OnStderr);
        _ = WatchExitAsync();
    }

    /// <inheritdoc />
    public string BootstrapServers => Client.BootstrapServers;

    /// <inheritdoc />
    public int BrokerCount => Client.BrokerCount;

    /// <summary>The control channel's endpoint (127.0.0.1).</summary>
    public IPEndPoint ControlEndpoint => control ?? throw new InvalidOperationException("The host has not started.");

    /// <summary>The host's process id.</summary>
    public int ProcessId => process.Id;

    /// <summary>Never completes while the host runs as it should; faults with <see cref="EmbeddedKafkaHostException"/> when it exits unasked.</summary>
    public Task Failure => failure.Task;

    /// <summary>The last lines the host wrote to stderr.</summary>
    public string StandardErrorTail
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', stderrTail);
            }
        }
    }

    private KafkaControlClient Client => client ?? throw new InvalidOperationException("The host has not started.");

    /// <summary>Starts the host and returns once it printed its bootstrap line; throws <see cref="EmbeddedKafkaHostException"/> otherwise.</summary>
    public static async Task<EmbeddedKafkaHost> StartAsync(EmbeddedKafkaHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.FileName, nameof(options));
        var start = new ProcessStartInfo(options.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in options.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[ParentWatch.EnvironmentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        // the host is SIGKILLed on abort like any node: it must leave no diagnostics files in /tmp
        ChildDiagnostics.TurnOff(start);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new EmbeddedKafkaHostException($"Could not start '{options.FileName}'.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new EmbeddedKafkaHostException($"Could not start the Kafka host '{options.FileName}': {e.Message}", e);
        }

        var host = new EmbeddedKafkaHost(process, options);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartTimeout);
            var started = host.ready.Task;
            var winner = await Task.WhenAny(started, host.failure.Task, Task.Delay(Timeout.Infinite, timeout.Token));
            if (winner != started)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (winner == host.failure.Task)
                {
                    await host.failure.Task;
                }

                throw new EmbeddedKafkaHostException($"The Kafka host printed no '{KafkaHostRunner.BootstrapPrefix.Trim()}' line within {options.StartTimeout.TotalSeconds:0.#} s", null, host.StandardErrorTail);
            }

            var (endpoint, _) = await started;
            host.control = endpoint;
            host.client = await KafkaControlClient.ConnectAsync(endpoint, timeout.Token);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask CreateTopicAsync(string topic, int partitions, int replicationFactor, CancellationToken cancellationToken = default) =>
        Call(c => c.CreateTopicAsync(topic, partitions, replicationFactor, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetBrokerDownAsync(int brokerId, CancellationToken cancellationToken = default) => Call(c => c.SetBrokerDownAsync(brokerId, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetBrokerUpAsync(int brokerId, CancellationToken cancellationToken = default) => Call(c => c.SetBrokerUpAsync(brokerId, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetRttAsync(int brokerId, int rttMs, CancellationToken cancellationToken = default) => Call(c => c.SetRttAsync(brokerId, rttMs, cancellationToken));

    /// <inheritdoc />
    public ValueTask PushRequestErrorsAsync(KafkaApiKey apiKey, IReadOnlyList<KafkaErrorCode> errors, CancellationToken cancellationToken = default) =>
        Call(c => c.PushRequestErrorsAsync(apiKey, errors, cancellationToken));

    /// <inheritdoc />
    public ValueTask PushBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, IReadOnlyList<MockRequestError> errors, CancellationToken cancellationToken = default) =>
        Call(c => c.PushBrokerRequestErrorsAsync(brokerId, apiKey, errors, cancellationToken));

    /// <inheritdoc />
    public ValueTask ClearRequestErrorsAsync(KafkaApiKey apiKey, CancellationToken cancellationToken = default) => Call(c => c.ClearRequestErrorsAsync(apiKey, cancellationToken));

    /// <inheritdoc />
    public ValueTask<int> SpareBrokerAsync(IReadOnlyList<string> keepCoordinators, CancellationToken cancellationToken = default) =>
        Call(c => c.SpareBrokerAsync(keepCoordinators, cancellationToken));

    /// <inheritdoc />
    public ValueTask<int> PendingBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, CancellationToken cancellationToken = default) =>
        Call(c => c.PendingBrokerRequestErrorsAsync(brokerId, apiKey, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetPartitionLeaderAsync(string topic, int partition, int brokerId, CancellationToken cancellationToken = default) =>
        Call(c => c.SetPartitionLeaderAsync(topic, partition, brokerId, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetCoordinatorAsync(KafkaCoordinatorType type, string key, int brokerId, CancellationToken cancellationToken = default) =>
        Call(c => c.SetCoordinatorAsync(type, key, brokerId, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetGroupInitialRebalanceDelayAsync(int delayMs, CancellationToken cancellationToken = default) =>
        Call(c => c.SetGroupInitialRebalanceDelayAsync(delayMs, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetGroupConsumerSessionTimeoutAsync(int timeoutMs, CancellationToken cancellationToken = default) =>
        Call(c => c.SetGroupConsumerSessionTimeoutAsync(timeoutMs, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetGroupConsumerHeartbeatIntervalAsync(int intervalMs, CancellationToken cancellationToken = default) =>
        Call(c => c.SetGroupConsumerHeartbeatIntervalAsync(intervalMs, cancellationToken));

    /// <summary>Asks the host to stop (cluster destroyed before its handle), then kills its process tree if it has not exited in time.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposing)
        {
            return;
        }

        disposing = true;
        if (!process.HasExited && client is not null)
        {
            try
            {
                using var stop = new CancellationTokenSource(options.StopTimeout);
                await client.ShutdownAsync(stop.Token);
                await process.WaitForExitAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or KafkaMockException)
            {
                // Killed below.
            }
        }

        if (!process.HasExited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }

        using (var wait = new CancellationTokenSource(options.StopTimeout))
        {
            try
            {
                await process.WaitForExitAsync(wait.Token);
                await Task.WhenAll(stdoutPump, stderrPump).WaitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                // A grandchild holding the pipes open must not hang the harness; the kill was sent.
            }
        }

        failure.TrySetResult();
        process.Dispose();
    }

    private async ValueTask<T> Call<T>(Func<KafkaControlClient, ValueTask<T>> call)
    {
        try
        {
            return await call(Client);
        }
        catch (Exception e) when (e is IOException or SocketException && process.HasExited)
        {
            await failure.Task;
            throw;
        }
    }

    private async ValueTask Call(Func<KafkaControlClient, ValueTask> call)
    {
        try
        {
            await call(Client);
        }
        catch (Exception e) when (e is IOException or SocketException && process.HasExited)
        {
            await failure.Task;
            throw;
        }
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine(line);
        }
    }

    private void OnStdout(string line)
    {
        options.StandardOutput?.Invoke(line);
        if (line.StartsWith(KafkaHostRunner.ControlPrefix, StringComparison.Ordinal)
            && IPEndPoint.TryParse(line[KafkaHostRunner.ControlPrefix.Length..], out var endpoint))
        {
            control = endpoint;
        }
        else if (line.StartsWith(KafkaHostRunner.BootstrapPrefix, StringComparison.Ordinal) && control is not null)
        {
            ready.TrySetResult((control, line[KafkaHostRunner.BootstrapPrefix.Length..]));
        }
    }

    private void OnStderr(string line)
    {
        options.StandardError?.Invoke(line);
        lock (gate)
        {
            stderrTail.Enqueue(line);
            while (stderrTail.Count > options.StandardErrorTailLines)
            {
                stderrTail.Dequeue();
            }
        }
    }

    private async Task WatchExitAsync()
    {
        await process.WaitForExitAsync();

        // The pumps end at EOF, so the tail is complete once they are done.
        await Task.WhenAll(stdoutPump, stderrPump);
        if (disposing)
        {
            failure.TrySetResult();
            return;
        }

        failure.TrySetException(new EmbeddedKafkaHostException("The Kafka host exited while the run still needed it", process.ExitCode, StandardErrorTail));
    }
}
