using System.Globalization;
using System.Text;

namespace Chaos.Harness.Runs;

/// <summary>
/// The one <c>chaos</c> command that runs a run again: the same scenario, seed, durations, load, defects and topology
/// (a seed fixes every random choice, docs/running.md) — or, for a run that played a given schedule, <c>chaos replay</c>
/// of the schedule.json it saved. Printed after a run and written with the run's properties into summary.md,
/// results.json and junit.xml (docs/running.md, "Running a run again"). No <c>--out</c>: a run folder holds one run.
/// A PostgreSQL connection string is never written out (it may hold a password): it shows as a placeholder.
/// </summary>
public static class ReproduceCommand
{
    /// <summary>The placeholder written instead of a PostgreSQL connection string.</summary>
    public const string PostgresPlaceholder = "<connection string>";

    /// <summary>The command for a run of <paramref name="scenario"/> with <paramref name="options"/> (as given, before
    /// the scenario shaped them) and the fault phase it ran (<paramref name="duration"/>).</summary>
    public static string For(string scenario, RunOptions options, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(scenario);
        ArgumentNullException.ThrowIfNull(options);
        var w = options.Workload;
        List<string> args = options.Schedule is null
            ? ["chaos", "run", scenario, "--seed", Number(options.Seed)]
            : ["chaos", "replay", Path.Combine(Path.GetFullPath(options.OutputDirectory), "schedule.json"), "--scenario", scenario, "--seed", Number(options.Seed)];
        args.AddRange(
        [
            "--duration", Duration(duration), "--ramp", Duration(options.Ramp), "--warmup", Duration(options.Warmup),
            "--rate", Number(w.Rate), "--job-rate", Number(w.JobRate), "--users", Number(w.Users), "--devices", Number(w.Devices),
            "--max-recipients", Number(w.MaxRecipients),
        ]);
        foreach (var defect in options.Defects)
        {
            args.AddRange(["--defect", defect]);
        }

        // a system of your own is named by its file (its adapter or its nodes are there), which says again what it said,
        // and the flags say the rest; the reference system's file says nothing a flag cannot, so its line reruns without it
        var file = options.SystemFile is { Adapter: not null } or { Declared: not null } ? options.SystemFile : null;
        if (file is not null)
        {
            args.AddRange(["--system", Path.GetFullPath(file.Source)]);
        }

        if (options.Topology != Topology.TopologyKind.Processes && file?.Topology is null)
        {
            args.AddRange(["--topology", options.Topology.ToString().ToLowerInvariant()]);
        }

        if (options.Postgres is not null && file?.SaysStorage != true)
        {
            args.AddRange(["--postgres", PostgresPlaceholder]);
        }

        if (options.KafkaBootstrap is not null && file?.SaysKafka != true)
        {
            // a fresh cluster at that address: the run refuses topics that already hold records
            args.AddRange(["--kafka-bootstrap", options.KafkaBootstrap]);
        }

        if (options.AllowRemote && file?.AllowRemote != true)
        {
            args.Add("--allow-remote");
        }

        return string.Join(' ', args.Select(Quote));
    }

    /// <summary>A duration as the options take it: whole seconds as <c>10s</c>, anything finer in milliseconds.</summary>
    internal static string Duration(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerSecond == 0
            ? Number(value.Ticks / TimeSpan.TicksPerSecond) + "s"
            : Number(Math.Round(value.TotalMilliseconds, 3)) + "ms";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>POSIX-shell quoting: bare when safe, otherwise in single quotes.</summary>
    internal static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@+".Contains(c)))
        {
            return arg;
        }

        var quoted = new StringBuilder("'");
        quoted.Append(arg.Replace("'", "'\\''", StringComparison.Ordinal));
        return quoted.Append('\'').ToString();
    }
}
