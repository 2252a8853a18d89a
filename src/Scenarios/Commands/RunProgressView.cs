using Chaos.Harness.Runs;
using Spectre.Console;

namespace Chaos.Scenarios.Commands;

/// <summary>Live progress of a run: a status line in a terminal, plain lines when output is redirected (CI), none when quiet.</summary>
internal static class RunProgressView
{
    public static async Task<RunOutcome> RunAsync(Scenario scenario, RunOptions options, bool quiet, CancellationToken cancellationToken)
    {
        if (quiet)
        {
            return await RunPipeline.RunAsync(scenario, options, progress: null, cancellationToken);
        }

        if (Console.IsOutputRedirected || AnsiConsole.Profile.Capabilities.Interactive is false)
        {
            var plain = new Progress<RunProgress>(p => Console.WriteLine(Line(p)));
            return await RunPipeline.RunAsync(scenario, options, plain, cancellationToken);
        }

        RunOutcome? outcome = null;
        await AnsiConsole.Status().StartAsync($"{scenario.Name}: starting", async status =>
        {
            var live = new Progress<RunProgress>(p => status.Status(Markup.Escape(Line(p))));
            outcome = await RunPipeline.RunAsync(scenario, options, live, cancellationToken);
        });
        return outcome!;
    }

    private static string Line(RunProgress p) =>
        $"[{p.Elapsed:mm\\:ss}] {p.Phase,-9} sends/s {p.SendsPerSecond,7:0.0}  ok {p.SendsOk} fail {p.SendsFailed} info {p.SendsUnknown}  events {p.HistoryEvents}" +
        (p.ActiveFaults.Count > 0 ? "  faults: " + string.Join(", ", p.ActiveFaults) : "");
}
