using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Chaos.Harness.Kafka;
using Microsoft.Extensions.Logging;
using Chaos.Harness.Topology;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>chaos kafka</c>: hosts librdkafka's mock Kafka cluster in this process until Ctrl-C, SIGTERM,
/// a control "shutdown" or the death of CHAOS_PARENT_PID. The work is in <see cref="KafkaHostRunner"/>.
/// </summary>
internal static class KafkaCommand
{
    public static Command Create()
    {
        // Numbers are taken as strings so that a malformed one is our exit code 2 with the option's
        // name, like any other bad input, instead of a parse error.
        var brokers = new Option<string>("--brokers") { Description = "Number of brokers (ids 1..N).", DefaultValueFactory = _ => "3" };
        var topics = new Option<string[]>("--topic")
        {
            Description = "Topic to create, NAME[:PARTITIONS[:REPLICATION]] (default 3 partitions, replication min(3, brokers)). Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var bootstrapFile = new Option<string?>("--bootstrap-file") { Description = "Also write the bootstrap servers to this file." };
        var controlPort = new Option<string>("--control-port") { Description = "Port of the control channel on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => "0" };
        var rebalanceDelay = new Option<string?>("--initial-rebalance-delay-ms") { Description = "group.initial.rebalance.delay.ms of classic groups (librdkafka default 3000)." };
        var retention = new Option<string?>("--retention") { Description = "Delete records older than this (e.g. 10s), never past a protecting group's committed offset. Off by default." };
        var retentionGroups = new Option<string[]>("--retention-group")
        {
            Description = "TOPIC=GROUP: GROUP protects TOPIC from --retention; only topics named here are trimmed. Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var command = new Command("kafka", "Run an embedded Kafka cluster (librdkafka's mock) with a loopback fault control channel. Prints 'control: 127.0.0.1:PORT' then 'bootstrap: HOST:PORT,...'.")
        {
            brokers, topics, bootstrapFile, controlPort, rebalanceDelay, retention, retentionGroups,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            KafkaHostOptions options;
            int? parentPid;
            try
            {
                options = new KafkaHostOptions
                {
                    Brokers = Integer(parse.GetValue(brokers), "brokers"),
                    Topics = [.. (parse.GetValue(topics) ?? []).Select(t => KafkaTopicSpec.Parse(t, "topic"))],
                    BootstrapFile = parse.GetValue(bootstrapFile),
                    ControlPort = Integer(parse.GetValue(controlPort), "control-port"),
                    InitialRebalanceDelayMs = parse.GetValue(rebalanceDelay) is { } d ? Integer(d, "initial-rebalance-delay-ms") : null,
                    Retention = parse.GetValue(retention) is { } r ? KafkaArguments.ParseDuration(r, "retention") : null,
                    RetentionGroups = [.. (parse.GetValue(retentionGroups) ?? []).Select(g => KafkaRetentionGroup.Parse(g, "retention-group"))],
                };
                options.Validate();
                parentPid = ParentWatch.ParentPidFromEnvironment();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"chaos kafka: {Describe(e)}");
                return ExitCodes.RunFailed;
            }

            using var loggerFactory = LoggerFactory.Create(b => b
                .SetMinimumLevel(LogLevel.Information)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddSimpleConsole(o => o.SingleLine = true));
            // SIGTERM (what a supervisor or `kill` sends) must destroy the cluster like Ctrl-C does,
            // instead of the runtime's default exit with 143 and nothing cleaned up.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            try
            {
                await KafkaHostRunner.RunAsync(options, parentPid, Console.Out, loggerFactory, TimeProvider.System, stop.Token);
                return ExitCodes.Valid;
            }
            catch (Exception e) when (e is KafkaMockException or IOException or System.Net.Sockets.SocketException)
            {
                await Console.Error.WriteLineAsync($"chaos kafka: {e.Message}");
                return ExitCodes.RunFailed;
            }

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }

    private static int Integer(string? text, string option) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"--{option} must be an integer, not '{text}'.", option);

    private static string Describe(ArgumentException e)
    {
        var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
        message = message.ReplaceLineEndings(" ");
        return e.ParamName is null || message.StartsWith("--", StringComparison.Ordinal) ? message : $"--{e.ParamName}: {message}";
    }
}
