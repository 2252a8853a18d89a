using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Kafka;

/// <summary>
/// The body of <c>chaos kafka</c>: creates the mock cluster and its topics, serves the control
/// channel, prints <c>control: 127.0.0.1:PORT</c> then <c>bootstrap: HOST:PORT,...</c> (the
/// bootstrap line comes last and means "everything is serving"), then runs until cancelled, asked
/// to shut down, or its parent (<c>CHAOS_PARENT_PID</c>) is gone. Destroys the cluster before the
/// librdkafka handle on the way out.
/// </summary>
public static partial class KafkaHostRunner
{
    /// <summary>Prefix of the line carrying the bootstrap servers.</summary>
    public const string BootstrapPrefix = "bootstrap: ";

    /// <summary>Prefix of the line carrying the control channel's endpoint.</summary>
    public const string ControlPrefix = "control: ";

    /// <summary>Runs the host until it should stop. Options are validated first (ArgumentException naming the option).</summary>
    public static async Task RunAsync(KafkaHostOptions options, int? parentPid, TextWriter output, ILoggerFactory? loggerFactory, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger(typeof(KafkaHostRunner).FullName!);

        await using var cluster = MockCluster.Create(options.Brokers);
        if (options.InitialRebalanceDelayMs is { } delay)
        {
            cluster.SetGroupInitialRebalanceDelay(delay);
        }

        foreach (var topic in options.Topics)
        {
            cluster.CreateTopic(topic.Name, topic.Partitions, topic.ReplicationFactor ?? Math.Min(3, options.Brokers));
        }

        // Declared after the cluster so that it stops before the cluster is destroyed.
        await using var retention = options.Retention is { } window && options.RetentionGroups.Count > 0
            ? new MockRetention(cluster, window, options.RetentionGroups, options.Topics.ToDictionary(t => t.Name, t => t.Partitions, StringComparer.Ordinal), timeProvider, loggerFactory.CreateLogger<MockRetention>())
            : null;
        retention?.Start();

        await using var server = new KafkaControlServer(cluster, options.ControlPort, loggerFactory.CreateLogger<KafkaControlServer>());
        server.Start();

        if (options.BootstrapFile is { } file)
        {
            var temporary = file + ".tmp";
            await File.WriteAllTextAsync(temporary, cluster.BootstrapServers + "\n", cancellationToken);
            File.Move(temporary, file, overwrite: true);
        }

        await output.WriteLineAsync($"{ControlPrefix}{server.Endpoint}".AsMemory(), cancellationToken);
        await output.WriteLineAsync($"{BootstrapPrefix}{cluster.BootstrapServers}".AsMemory(), cancellationToken);
        await output.FlushAsync(cancellationToken);
        LogServing(logger, options.Brokers, cluster.BootstrapServers, server.Endpoint.ToString());

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = new List<Task> { Task.Delay(Timeout.Infinite, stop.Token), server.ShutdownRequested };
        if (parentPid is { } pid)
        {
            waits.Add(ParentWatch.WaitForExitAsync(pid, timeProvider, stop.Token));
        }

        var first = await Task.WhenAny(waits);
        // a signal cancels the delay and the parent watch at once, so either may be the first to complete: the reason is
        // read from what happened, not from which wait won (it said "parent process exited" for a SIGTERM, now and then)
        var reason = first == server.ShutdownRequested ? "shutdown requested"
            : cancellationToken.IsCancellationRequested ? "signal"
            : "parent process exited";
        LogStopping(logger, reason);
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(waits.Where(t => t != server.ShutdownRequested));
        }
        catch (OperationCanceledException)
        {
            // The waits that lost the race were cancelled on purpose.
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Mock Kafka cluster of {Brokers} brokers at {Bootstrap}; control channel at {Control}")]
    private static partial void LogServing(ILogger logger, int brokers, string bootstrap, string control);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Stopping the mock Kafka cluster: {Reason}")]
    private static partial void LogStopping(ILogger logger, string reason);
}
