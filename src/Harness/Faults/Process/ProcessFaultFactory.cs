using System.Globalization;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary>Turns schedule entries naming a process or failpoint fault (<see cref="ProcessFaultNames"/>) into faults on topology nodes.</summary>
public static class ProcessFaultFactory
{
    /// <summary>True when <paramref name="fault"/> is one of the names this factory creates.</summary>
    public static bool Handles(string fault) => ProcessFaultNames.All.Contains(fault, StringComparer.Ordinal);

    /// <summary>
    /// Creates the fault for <paramref name="entry"/> on the node named by its target; a failpoint through
    /// <paramref name="failpoints"/>, the system's (null: it offers none). Throws an <see cref="ArgumentException"/>
    /// naming the field when the fault, target or a parameter is not valid, or the system has no failpoints.
    /// </summary>
    public static IFault Create(FaultScheduleEntry entry, Func<string, ITopologyNode?> findNode, IFailpointControl? failpoints = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(findNode);
        Validate(entry);
        if (entry.Fault == ProcessFaultNames.Failpoint && failpoints is null)
        {
            throw new ArgumentException($"fault: the system under test offers no failpoints ({entry.Fault} on {entry.Target})", nameof(entry));
        }

        var node = findNode(entry.Target) ?? throw new ArgumentException($"target: no node named '{entry.Target}' in this run", nameof(entry));
        return entry.Fault switch
        {
            ProcessFaultNames.Kill => new ProcessKillFault(node),
            ProcessFaultNames.Terminate => new ProcessTerminateFault(node),
            ProcessFaultNames.Pause => new ProcessPauseFault(node),
            ProcessFaultNames.Restart => new ProcessRestartFault(node),
            ProcessFaultNames.Starve => StarveFor(entry, node),
            _ => new FailpointFault(node, FailpointSettings.FromParameters(entry.Parameters), failpoints!),
        };
    }

    private const string Instance = "a role instance: api-1, notifier-2, jobs-1, gateway-1, …";

    /// <summary>The process and failpoint kinds, each declared once (docs/faults.md, "Process faults" and "Failpoints").</summary>
    public static IReadOnlyList<FaultKind> Kinds { get; } =
    [
        new(ProcessFaultNames.Kill, "process", Instance, "SIGKILL (no shutdown, no Kafka leave); restarted at the heal if down"),
        new(ProcessFaultNames.Terminate, "process", Instance, "SIGTERM, SIGKILL after the node's grace; restarted at the heal if down"),
        new(ProcessFaultNames.Pause, "process", Instance, "SIGSTOP of the node's tree (docker pause in containers): sockets stay open, nothing answers; SIGCONT at the heal"),
        new(ProcessFaultNames.Restart, "process", Instance, "SIGTERM, then started again from the same spec and ports, waited until ready"),
        new(ProcessFaultNames.Starve, "process", Instance, "CPU starvation by duty cycle: stopped for all but its share of every period, until the heal",
        [
            FaultParameter.Custom("share", "20%", "1%..90%, or a fraction 0.01..0.9", ShareProblem, "the share of CPU time left to the node; to stop it entirely use process-pause"),
            FaultParameter.Duration("period", TimeSpan.FromMilliseconds(100), ProcessStarveFault.MinPeriod, ProcessStarveFault.MaxPeriod, "one stop-and-run cycle"),
        ]),
        new(ProcessFaultNames.Failpoint, "process", Instance, "arms a failpoint in the node (through the system's failpoint control) until the heal; a crash action kills it at the point",
        [
            FaultParameter.Choice("point", null, FailpointSettings.KnownPoints, "where in the node's code it fires", required: true),
            FaultParameter.Custom("action", "crash", "crash, delay, throw", text => Enum.TryParse<FailpointAction>(text, ignoreCase: true, out var a) && Enum.IsDefined(a) && !text.Any(char.IsDigit) ? null : $"'{text}' is not crash, delay or throw", "what happens at the point: exit 137 at once, wait, or throw"),
            FaultParameter.Integer("hit", null, 1, 1_000_000, "fire on the Nth hit only, counted from arming (without it, every hit)"),
            FaultParameter.Number("probability", null, 0, 1, "fire on each hit with this probability, drawn from the role's seed (not with hit)"),
            FaultParameter.Duration("delay", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(10), "how long the delay action waits"),
        ],
        entry => FailpointSettings.FromParameters(entry.Parameters))
        {
            Requires = [FaultCapabilities.Failpoints],
        },
    ];

    /// <summary>Checks an entry before a run starts (no nodes needed): the fault name and the parameters it takes.</summary>
    public static void Validate(FaultScheduleEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Handles(entry.Fault))
        {
            throw new ArgumentException($"fault: '{entry.Fault}' is not a process fault (known: {string.Join(", ", ProcessFaultNames.All)})", nameof(entry));
        }

        KindOf(entry.Fault).Validate(entry);
    }

    private static FaultKind KindOf(string fault) => Kinds.First(k => k.Name == fault);

    private static ProcessStarveFault StarveFor(FaultScheduleEntry entry, ITopologyNode node)
    {
        var (share, period) = StarveParameters(entry);
        return new ProcessStarveFault(node, share, period);
    }

    /// <summary>
    /// process-starve's parameters: <c>share</c>, the CPU share left to the node (a fraction like 0.2 or a percentage
    /// like 20%; default 20%), and <c>period</c>, one stop-and-run cycle (a duration; default 100ms).
    /// </summary>
    internal static (double Share, TimeSpan Period) StarveParameters(FaultScheduleEntry entry)
    {
        var kind = KindOf(ProcessFaultNames.Starve);
        kind.Validate(entry);
        var period = DurationText.TryParse(kind.Text(entry, "period"), out var p, out _) ? p : throw new ArgumentException("parameters.period: unreadable");
        return (Share(kind.Text(entry, "share")!)!.Value, period);
    }

    private static string? ShareProblem(string text)
    {
        if (Share(text) is not { } share)
        {
            return $"'{text}' is not a fraction (0.2) or a percentage (20%)";
        }

        return share is < ProcessStarveFault.MinShare or > ProcessStarveFault.MaxShare
            ? $"'{text}' must be within {ProcessStarveFault.MinShare * 100:0}%..{ProcessStarveFault.MaxShare * 100:0}% (the node's share of CPU time; to stop it entirely use process-pause)"
            : null;
    }

    /// <summary>A share written as a fraction (0.2) or a percentage (20%), or null when it is neither.</summary>
    private static double? Share(string text)
    {
        var percent = text.EndsWith('%');
        return double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && double.IsFinite(share)
            ? percent ? share / 100 : share
            : null;
    }
}
