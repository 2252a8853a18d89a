using System.Globalization;
using Chaos.Harness;
using Chaos.Harness.Checkers;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Load;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Load shapes, not breakage: messages to every user at once (a large group) and bursts of sends far above the steady
/// rate. Backpressure shows as latency in the fault phase (report.html, summary.md); nothing may be lost, duplicated
/// or reordered.
/// </summary>
internal sealed class FanoutSpikeScenario : Scenario
{
    private const string Fanout = "fanout";
    private const string Burst = "burst";

    public override string Name => "fanout-spike";

    public override string Description => "Messages to every user at once and send bursts ×10 the steady rate: backpressure visible, nothing lost.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    public override CheckOptions CheckOptions => new()
    {
        // the burst is meant to push latency up (backpressure); the gate is that it comes back and nothing breaks
        // a burst of up to 5 s, then the backlog it left cleared at capacity (about as long again)
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(TimeSpan.FromSeconds(5), LatencyBudget.SpikeBacklog)],
        // its load: chat sends to every user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    public override ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) => options with { Users = Math.Max(options.Users, 30) };

    public override FaultMenu Faults => new(
    [
        new FaultMenuItem(Fanout, ["all-users"], Parameters: new Dictionary<string, IReadOnlyList<string>> { ["messages"] = ["3", "5", "10"] }),
        new FaultMenuItem(Burst, ["api"], MinDuration: TimeSpan.FromSeconds(2), MaxDuration: TimeSpan.FromSeconds(6), Parameters: new Dictionary<string, IReadOnlyList<string>> { ["factor"] = ["5", "10"] }),
    ]);

    /// <summary>Scripted: a fan-out, a burst, then both together; sizes and times from the seed.</summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var rng = new Random(unchecked((int)seed));
        var d = duration.TotalMilliseconds;
        TimeSpan At(double fraction) => TimeSpan.FromMilliseconds(Math.Round(d * fraction));
        var burst = TimeSpan.FromMilliseconds(Math.Round(Math.Min(d * 0.2, 5000)));
        return new FaultSchedule(
        [
            new FaultScheduleEntry(At(0.1), Fanout, "all-users", null, P("messages", 3 + rng.Next(0, 5))),
            new FaultScheduleEntry(At(0.3), Burst, "api", burst, P("factor", 10)),
            new FaultScheduleEntry(At(0.65), Fanout, "all-users", null, P("messages", 5 + rng.Next(0, 5))),
            new FaultScheduleEntry(At(0.65), Burst, "api", burst, P("factor", 5)),
        ], duration)
        { Scenario = Name, Seed = seed };

        static Dictionary<string, string> P(string name, int value) => new() { [name] = value.ToString(CultureInfo.InvariantCulture) };
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context)
    {
        IFault fault = entry.Fault switch
        {
            Fanout => new FanoutSpikeFault(context.Workload, Int(entry, "messages")),
            Burst => new BurstFault(
                context.Workload,
                context.Options.Workload.Rate * Int(entry, "factor"),
                entry.Duration ?? TimeSpan.FromSeconds(3),
                SeedStreams.Derive(context.Seed, SeedStreams.Burst, entry.At.Ticks)),
            _ => base.CreateFault(entry, context),
        };
        context.State<List<IFault>>().Add(fault);
        return fault;
    }

    protected override string? FaultsTookEffect(RunContext context)
    {
        var faults = context.StateOrNull<List<IFault>>() ?? [];
        var fanouts = faults.OfType<FanoutSpikeFault>().Sum(f => f.Acknowledged);
        if (fanouts == 0)
        {
            return "no fan-out message to every user was acknowledged";
        }

        var bursts = faults.OfType<BurstFault>().ToList();
        var completed = bursts.Sum(b => b.Result?.Completed ?? 0);
        var expected = bursts.Sum(b => b.Result is { } r ? r.Intended / 2 : 0);
        return bursts.Count == 0 || completed == 0 || completed < expected
            ? $"the bursts did not happen: {completed} burst sends completed of {bursts.Sum(b => b.Result?.Intended ?? 0)} intended"
            : null;
    }

    private static int Int(FaultScheduleEntry entry, string name) => (int)Kinds.First(k => k.Name == entry.Fault).Integer(entry, name)!.Value;

    /// <summary>The load-shape kinds, each declared once (docs/faults.md, "Downstream and load-shape faults").</summary>
    internal static IReadOnlyList<FaultKind> Kinds { get; } =
    [
        new(Fanout, "load", "all-users", "messages, each to every user, sent together (recorded sends)",
            [FaultParameter.Integer("messages", 5, 1, 1000, "how many messages to every user")]),
        new(Burst, "load", "api", "a second open-model generator of sends at factor × the steady rate, for the entry's duration (3 s without one)",
            [FaultParameter.Integer("factor", 10, 1, 100, "the burst's rate as a multiple of the steady rate")]),
    ];
}
