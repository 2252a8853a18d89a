using System.CommandLine;
using System.Globalization;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Schedule;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>chaos replay &lt;schedule.json | run folder | incident.yaml|json&gt;</c>: runs a saved schedule or a hand-written
/// incident again, against the scenario it names (or <c>--scenario</c>), with <c>chaos run</c>'s options.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("schedule") { Description = "A schedule.json, a run folder holding one, or an incident file (.yaml/.yml or .json)." };
        var scenarioOption = new Option<string?>("--scenario") { Description = "The scenario to replay it against (default: the file's `scenario`)." };
        var seed = new Option<string?>("--seed") { Description = "The run's seed (default: the file's seed, else 1); load and device choices derive from it." };
        var duration = new Option<string?>("--duration") { Description = "Fault-phase length (default: the file's `duration`, else the scenario's)." };
        var output = new Option<string?>("--out") { Description = "The run folder (default reports/replay-<name>-<utc stamp>)." };
        var shared = new RunOptionSet();
        var style = new OutputStyle();

        var command = new Command("replay", "Run a saved fault schedule or an incident file again and check the promises.")
        {
            source, scenarioOption, seed, duration, output,
        };
        shared.AddTo(command);
        style.AddTo(command);
        command.SetAction(async (parse, outer) =>
        {
            var print = style.Bind(parse, json: false);
            using var shutdown = new ShutdownSignals(outer);
            var cancellationToken = shutdown.Token;
            try
            {
                var path = parse.GetValue(source)!;
                if (Directory.Exists(path))
                {
                    path = Path.Combine(path, "schedule.json");
                }

                // first read without a catalogue, to learn which scenario the file names; then validate against it
                var loose = await FaultScheduleFile.LoadAsync(path, null, cancellationToken);
                var scenarioName = parse.GetValue(scenarioOption) ?? loose.Scenario
                    ?? throw new UsageException($"{path} names no scenario: give --scenario NAME (see `chaos list`)");
                var scenario = ScenarioCatalog.Find(scenarioName)
                    ?? throw new UsageException($"unknown scenario '{scenarioName}' (known: {string.Join(", ", ScenarioCatalog.Everything.Select(s => s.Name))})");
                // the run's options first (the system under test among them): its shape is what the targets are checked against
                var phase = RunCommand.Duration(parse.GetValue(duration), "--duration") ?? loose.Duration ?? scenario.DefaultDuration;
                var runSeed = RunCommand.Long(parse.GetValue(seed), "--seed", loose.Seed ?? 1);
                var dir = parse.GetValue(output)
                    ?? Path.Combine("reports", $"replay-{loose.Name ?? scenario.Name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                var options = await shared.BindAsync(parse, runSeed, phase, dir, cancellationToken);
                var shape = options.ShapeFor(scenario.ConfigureSystem(new SystemRequirements()));

                // the parameters of the faults we know are checked while the file is read, so an error names its line
                // (every kind is declared once, with its parameters: FaultKinds, docs/faults.md "Fault kinds")
                var catalogue = scenario.CatalogueOn(shape).WithParameterCheck(FaultKinds.Registry.Validate);
                var schedule = await FaultScheduleFile.LoadAsync(path, catalogue, cancellationToken);
                var late = schedule.Entries.Where(e => e.At >= phase).ToList();
                if (late.Count > 0)
                {
                    throw new UsageException($"{late.Count} fault(s) start at or after the end of the {DurationText.Format(phase)} fault phase (first: {late[0].Fault} on {late[0].Target} at {DurationText.Format(late[0].At)}): give a longer --duration");
                }

                options = options with { Schedule = schedule };
                if (FaultKinds.Unsupported(schedule, options) is { } why)
                {
                    throw new UsageException($"{path}: {why}");
                }

                if (!await TopologyOption.EnsureAvailableAsync("replay", options.Topology, cancellationToken))
                {
                    return ExitCodes.RunFailed;
                }

                options.Validate();
                print.Info($"replay {schedule.Name ?? Path.GetFileName(path)} ({schedule.Entries.Count} faults) on {scenario.Name} seed={runSeed} → {Path.GetFullPath(dir)}");
                var outcome = await RunProgressView.RunAsync(scenario, options, print.Quiet, cancellationToken);
                Console.WriteLine($"{scenario.Name} replay: {print.Verdict(outcome.Verdict.ToString().ToLowerInvariant())} — {outcome.Message}");
                print.Info($"report: {Path.Combine(outcome.Directory, "summary.md")}");
                if (outcome.Reproduce is { } again && (!print.Quiet || outcome.ExitCode != ExitCodes.Valid))
                {
                    Console.WriteLine($"reproduce: {again}");
                }

                return outcome.ExitCode;
            }
            catch (ScheduleFileException e)
            {
                await Console.Error.WriteLineAsync($"chaos replay: {e.Message}");
                return ExitCodes.RunFailed;
            }
            catch (Exception e) when (e is UsageException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"chaos replay: {e.Message}");
                return ExitCodes.RunFailed;
            }
        });
        return command;
    }
}
