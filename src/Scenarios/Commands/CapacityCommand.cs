using System.CommandLine;
using System.Globalization;
using Chaos.Harness.Reports;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology.Containers;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>chaos capacity</c>: steady-state at rising open-model rates until the p99 passes the limit, sends fail, a promise
/// breaks or the harness is overloaded; prints the knee and each step's deliveries/s, p50/p99 and CPU per process
/// (docs/load.md, "Capacity"). Exit 0 when the search was measured, 1 when a promise broke under load, 2 when it could
/// not be done.
/// </summary>
internal static class CapacityCommand
{
    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "The first step's rate, sends per second (default 300)." };
        var step = new Option<string?>("--step") { Description = "What each step adds, sends per second (default 300)." };
        var to = new Option<string?>("--to") { Description = "The last rate tried, sends per second (default 3000)." };
        var stepDuration = new Option<string?>("--step-duration") { Description = "Each step's measured window (default 15s)." };
        var idle = new Option<string?>("--idle") { Description = "Idle window before the first step, for idle CPU (default 10s; 0 for none)." };
        var p99 = new Option<string?>("--p99") { Description = "A step holds while its p99 delivery latency is at most this (default 500ms)." };
        var seed = new Option<string?>("--seed") { Description = "The runs' seed (default 1)." };
        var output = new Option<string?>("--out") { Description = "The capacity folder (default reports/capacity-<utc stamp>)." };
        var shared = new RunOptionSet(withRate: false);
        var command = new Command("capacity", "Find the knee: steady-state at rising rates until p99 passes the limit or sends fail; deliveries/s, latency and CPU per process.")
        {
            from, step, to, stepDuration, idle, p99, seed, output,
        };
        shared.AddTo(command);
        command.SetAction(async (parse, outer) =>
        {
            using var shutdown = new ShutdownSignals(outer);
            var ct = shutdown.Token;
            try
            {
                var defaults = new CapacityOptions { Run = new RunOptions { OutputDirectory = "." } };
                var root = parse.GetValue(output)
                    ?? Path.Combine("reports", "capacity-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                var template = await shared.BindAsync(parse, RunCommand.Long(parse.GetValue(seed), "--seed", 1), null, root, ct);
                var options = new CapacityOptions
                {
                    From = Positive(parse.GetValue(from), "--from", defaults.From),
                    Step = Positive(parse.GetValue(step), "--step", defaults.Step),
                    To = Positive(parse.GetValue(to), "--to", defaults.To),
                    StepDuration = RunCommand.Duration(parse.GetValue(stepDuration), "--step-duration") ?? defaults.StepDuration,
                    Idle = RunCommand.DurationOrNone(parse.GetValue(idle), "--idle") ?? defaults.Idle,
                    P99Limit = RunCommand.Duration(parse.GetValue(p99), "--p99") ?? defaults.P99Limit,
                    Run = template,
                };
                options.Validate();
                template.Validate();
                if (!await TopologyOption.EnsureAvailableAsync("capacity", template.Topology, ct))
                {
                    return ExitCodes.RunFailed;
                }

                var scenario = ScenarioCatalog.Find("steady-state")!;
                Console.WriteLine($"capacity: {options.Steps} steps of {options.StepDuration.TotalSeconds:0.#} s at most → {Path.GetFullPath(root)}");
                Console.WriteLine(CapacityReport.Header);
                var result = await CapacitySearch.RunAsync(scenario, options, root, s => Console.WriteLine(CapacityReport.Row(s, options.P99Limit)), ct);
                await CapacityReport.WriteAsync(result, options, root, CancellationToken.None);
                Console.WriteLine(CapacityReport.Summary(result));
                if (result.Idle.Count > 0)
                {
                    Console.WriteLine($"idle CPU (% of a core): {string.Join(", ", result.Idle.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.Percent:0.#}")))}");
                }

                Console.WriteLine($"report: {Path.GetFullPath(Path.Combine(root, "capacity.md"))}");
                return result.PromiseBroken ? ExitCodes.Invalid
                    : ct.IsCancellationRequested || result.Steps.Count == 0 || result.Steps[0].Note is not null ? ExitCodes.RunFailed
                    : ExitCodes.Valid;
            }
            catch (Exception e) when (e is UsageException or ArgumentException or DockerUnavailableException)
            {
                await Console.Error.WriteLineAsync($"chaos capacity: {e.Message}");
                return ExitCodes.RunFailed;
            }
        });
        return command;
    }

    private static double Positive(string? text, string option, double fallback)
    {
        var value = RunCommand.Double(text, option, fallback);
        return value > 0 && value <= 1_000_000
            ? value
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be above 0 and at most 1000000 sends/s, got '{text}'"));
    }
}
