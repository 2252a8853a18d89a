using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chaos.Harness.Telemetry;

/// <summary>
/// What a run tells an observability back-end (docs/running.md, "OpenTelemetry"), through .NET's own
/// <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/>: the library depends on no
/// OpenTelemetry package, and whoever hosts it subscribes — the <c>chaos</c> tool exports them over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; an xUnit test of yours adds the source and meter to its own providers.
/// <list type="bullet">
/// <item>Each fault the nemesis applies is a span <c>fault &lt;name&gt;</c> from its apply to its heal (tags
/// <c>chaos.fault.name</c>, <c>.target</c>, <c>.id</c>; events <c>applied</c> and <c>healed</c>; status error when it
/// could not be applied or healed), so a dashboard can shade the window; and the up-down counter
/// <c>chaos.faults.active</c> (tags name, target) is 1 while it holds.</item>
/// <item>Every history event recorded counts in <c>chaos.history.events</c> (tags <c>f</c> and <c>type</c>): sends by
/// outcome, deliveries, connects — the run's traffic as the harness observed it, never the system's own numbers.</item>
/// </list>
/// With nothing listening, each costs a check of a flag.
/// </summary>
public static class HarnessTelemetry
{
    /// <summary>The name of the harness's activity source and meter.</summary>
    public const string Name = "Chaos.Harness";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly UpDownCounter<long> ActiveFaults = Meter.CreateUpDownCounter<long>("chaos.faults.active", description: "faults in force, by name and target");

    internal static readonly Counter<long> HistoryEvents = Meter.CreateCounter<long>("chaos.history.events", description: "history events recorded, by f and type");

    /// <summary>
    /// A span for one fault, started now and ended by the caller at its heal; null when nothing listens. It is no
    /// one's parent: the ambient activity is left as it was, so the run's other work is not traced under a fault.
    /// </summary>
    internal static Activity? StartFault(string name, string target, string id)
    {
        var ambient = Activity.Current;
        var span = Source.StartActivity($"fault {name}", ActivityKind.Internal, parentContext: default,
            [new("chaos.fault.name", name), new("chaos.fault.target", target), new("chaos.fault.id", id)]);
        Activity.Current = ambient;
        return span;
    }
}
