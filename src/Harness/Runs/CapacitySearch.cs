using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Runs;

/// <summary>What <see cref="CapacitySearch"/> steps through and what ends it (docs/load.md, "Capacity").</summary>
public sealed record CapacityOptions
{
    /// <summary>The first step's send rate (sends per second).</summary>
    public double From { get; init; } = 300;

    /// <summary>How much each step adds to the rate.</summary>
    public double Step { get; init; } = 300;

    /// <summary>The last rate tried: the search stops there even if every step held (the loop is bounded).</summary>
    public double To { get; init; } = 3000;

    /// <summary>The measured window of each step: the rate held steady this long (the run's fault phase, with no fault).</summary>
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>An idle window before the first step's load, in which the idle CPU of every process is measured (0: none).</summary>
    public TimeSpan Idle { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A step passes while the p99 delivery latency of its window is at most this.</summary>
    public TimeSpan P99Limit { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The run every step starts from (load shape, topology, seed); each step sets its own rate, window and folder.</summary>
    public required RunOptions Run { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Run);
        if (!double.IsFinite(From) || From <= 0 || !double.IsFinite(Step) || Step <= 0 || !double.IsFinite(To) || To < From)
        {
            throw new ArgumentException($"the rates must be positive with from ≤ to, were from {From}, step {Step}, to {To}", nameof(From));
        }

        if (Steps > MaxSteps)
        {
            throw new ArgumentException($"{Steps} steps (from {From} to {To} by {Step}) is more than {MaxSteps}: take bigger steps", nameof(Step));
        }

        if (StepDuration < TimeSpan.FromSeconds(2) || StepDuration > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"a step's window must be 2 s..10 min, was {StepDuration}", nameof(StepDuration));
        }

        if (Idle < TimeSpan.Zero || Idle > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"the idle window must be 0..10 min, was {Idle}", nameof(Idle));
        }

        if (P99Limit <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the p99 limit must be above zero, was {P99Limit}", nameof(P99Limit));
        }
    }

    /// <summary>The most steps a search may take.</summary>
    public const int MaxSteps = 40;

    /// <summary>How many steps the rates make.</summary>
    public int Steps => (int)Math.Min(int.MaxValue, Math.Floor(((To - From) / Step) + 1e-9) + 1);

    /// <summary>The rate of step <paramref name="index"/> (0-based).</summary>
    public double RateOf(int index) => From + (index * Step);
}

/// <summary>
/// One step of a capacity search: a whole steady-state run at one rate, measured over its fault-free fault phase.
/// </summary>
/// <param name="Rate">Sends per second the step asked for.</param>
/// <param name="DeliveriesPerSecond">First deliveries (per device) of sends started in the window, per second of it.</param>
/// <param name="P50">p50 delivery latency of those deliveries.</param>
/// <param name="P99">p99 delivery latency of those deliveries.</param>
/// <param name="Sends">Sends the run started.</param>
/// <param name="Errors">Sends that did not end ok (failed, shed with 429, or unknown).</param>
/// <param name="Verdict">The run's verdict.</param>
/// <param name="Broken">Anomalies other than latency: a promise the system broke at this rate (none at a healthy step).</param>
/// <param name="Overloaded">The harness could not start its sends on time (the run's <c>overloaded</c> marker).</param>
/// <param name="Cpu">Each process's share of a core over the window.</param>
/// <param name="Directory">The step's run folder.</param>
/// <param name="Note">Why the run could not be measured, when it could not.</param>
public sealed record CapacityStep(
    double Rate,
    double DeliveriesPerSecond,
    TimeSpan P50,
    TimeSpan P99,
    long Sends,
    long Errors,
    Verdict Verdict,
    IReadOnlyList<string> Broken,
    bool Overloaded,
    IReadOnlyList<ProcessCpuShare> Cpu,
    string Directory,
    string? Note = null)
{
    /// <summary>Why this step is past the knee; null when it held.</summary>
    public string? FailureOf(TimeSpan p99Limit) =>
        Note is not null ? $"the run could not be measured: {Note}"
        : Broken.Count > 0 ? $"a promise broke: {string.Join(", ", Broken)}"
        : Overloaded ? "the harness was overloaded (its schedule lag passed the limit): the knee is the harness's, not the system's"
        : Errors > 0 ? string.Create(CultureInfo.InvariantCulture, $"{Errors} of {Sends} sends did not end ok (shed, failed or unknown)")
        : P99 > p99Limit ? string.Create(CultureInfo.InvariantCulture, $"p99 {P99.TotalMilliseconds:0} ms > {p99Limit.TotalMilliseconds:0} ms")
        : Sends == 0 ? "no send was made"
        : null;
}

/// <summary>The outcome of a capacity search: every step tried, the knee (the last step that held) and why it stopped.</summary>
public sealed record CapacityResult(
    IReadOnlyList<CapacityStep> Steps,
    CapacityStep? Knee,
    string StopReason,
    IReadOnlyList<ProcessCpuShare> Idle,
    TimeSpan IdleWindow)
{
    /// <summary>A step broke a promise other than latency: the system lost, duplicated or reordered under load.</summary>
    public bool PromiseBroken => Steps.Any(s => s.Broken.Count > 0);
}

/// <summary>
/// Finds the knee of the system's capacity: runs steady-state at rising open-model rates, one whole run per step,
/// until a step's p99 passes the limit, sends fail or are shed, a promise breaks, the harness itself is overloaded,
/// or the last rate is reached. Each step reports deliveries/s, p50/p99 and the CPU share of every process over its
/// measured window (docs/load.md, "Capacity").
/// </summary>
public static class CapacitySearch
{
    public static async Task<CapacityResult> RunAsync(
        Scenario scenario,
        CapacityOptions options,
        string directory,
        Action<CapacityStep>? onStep,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var steps = new List<CapacityStep>();
        IReadOnlyList<ProcessCpuShare> idle = [];
        string? stop = null;
        for (var i = 0; i < options.Steps && !cancellationToken.IsCancellationRequested; i++)
        {
            var rate = options.RateOf(i);
            var measureIdle = i == 0 && options.Idle > TimeSpan.Zero;
            var run = options.Run with
            {
                Duration = options.StepDuration,
                // the load ends with the fault phase, so the window's samples are exactly the sends started in it
                Recovery = TimeSpan.Zero,
                Idle = measureIdle ? options.Idle : TimeSpan.Zero,
                Workload = options.Run.Workload with { Rate = rate },
                // the step's run is judged by the search's own limit, in steady state and in the measured window alike
                LatencySlos = [new LatencyThreshold(LatencyThreshold.Each, 99, options.P99Limit)],
                OutputDirectory = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"step-{i + 1:00}-rate-{rate:0}")),
            };
            var probe = new WindowProbe(measureIdle ? options.Idle : null, options.StepDuration, cancellationToken);
            var outcome = await RunPipeline.RunAsync(scenario, run, probe, cancellationToken);
            var (idleShares, loadShares) = await probe.ResultsAsync();
            if (measureIdle)
            {
                idle = idleShares;
            }

            var step = await MeasureAsync(rate, outcome, loadShares, cancellationToken);
            steps.Add(step);
            onStep?.Invoke(step);
            if (step.FailureOf(options.P99Limit) is { } failure)
            {
                stop = string.Create(CultureInfo.InvariantCulture, $"at {rate:0} sends/s {failure}");
                break;
            }
        }

        stop ??= cancellationToken.IsCancellationRequested
            ? "stopped before the last step"
            : string.Create(CultureInfo.InvariantCulture, $"every step up to {options.RateOf(options.Steps - 1):0} sends/s held: the knee is above it (raise --to)");
        var knee = steps.TakeWhile(s => s.FailureOf(options.P99Limit) is null).LastOrDefault();
        return new CapacityResult(steps, knee, stop, idle, options.Idle);
    }

    private static async Task<CapacityStep> MeasureAsync(double rate, RunOutcome outcome, IReadOnlyList<ProcessCpuShare> cpu, CancellationToken cancellationToken)
    {
        var historyPath = Path.Combine(outcome.Directory, "history.jsonl");
        if (outcome.Result is null || !File.Exists(historyPath))
        {
            return new CapacityStep(rate, 0, TimeSpan.Zero, TimeSpan.Zero, 0, 0, outcome.Verdict, [], false, cpu, outcome.Directory, outcome.Message);
        }

        var history = (await HistoryReader.ReadAllAsync(historyPath, HistoryReadMode.Strict, cancellationToken)).Events;
        var latency = LatencyAnalysis.For(history);
        var window = latency.Timeline.Marks.FirstOrDefault(m => m.Name == RunPhases.Fault);
        var windowEnd = latency.Timeline.Marks.FirstOrDefault(m => m.Name == RunPhases.Recovery);
        var seconds = window is not null && windowEnd is not null ? TimeSpan.FromTicks((windowEnd.Time - window.Time) / 100).TotalSeconds : 0;
        var broken = outcome.Result.Anomalies
            .Where(a => a.Value.Count > 0 && !a.Value.Informational && a.Key != AnomalyNames.LatencySlo)
            .Select(a => a.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new CapacityStep(
            rate,
            seconds > 0 ? latency.Fault.Count / seconds : 0,
            FromNanoseconds(latency.Fault.P50),
            FromNanoseconds(latency.Fault.P99),
            latency.Sends,
            latency.Sends - latency.SendsOk,
            outcome.Verdict,
            broken,
            history.Any(e => e.F == HistoryOps.Overloaded),
            cpu,
            outcome.Directory,
            seconds > 0 ? null : "the history has no fault-phase window");
    }

    private static TimeSpan FromNanoseconds(long ns) => TimeSpan.FromTicks(ns / 100);

    /// <summary>
    /// Watches a run's phases and measures CPU inside them: over the idle window (when asked) and over the fault phase,
    /// each window starting when the phase is first reported and ending a second before the phase is due to end, so no
    /// load of the next phase leaks in.
    /// </summary>
    private sealed class WindowProbe(TimeSpan? idle, TimeSpan load, CancellationToken cancellationToken) : IProgress<RunProgress>
    {
        private static readonly TimeSpan Guard = TimeSpan.FromSeconds(1.5);
        private Task<IReadOnlyList<ProcessCpuShare>>? _idle;
        private Task<IReadOnlyList<ProcessCpuShare>>? _load;

        public void Report(RunProgress value)
        {
            // the pipeline reports about once a second; the first report of a phase opens its window
            if (value.Phase == RunPipeline.IdlePhase && idle is { } i && _idle is null)
            {
                _idle = ProcessCpu.MeasureAsync(Window(i), cancellationToken);
            }
            else if (value.Phase == RunPhases.Fault && _load is null)
            {
                _load = ProcessCpu.MeasureAsync(Window(load), cancellationToken);
            }
        }

        public async Task<(IReadOnlyList<ProcessCpuShare> Idle, IReadOnlyList<ProcessCpuShare> Load)> ResultsAsync() =>
            (await Quietly(_idle), await Quietly(_load));

        private static TimeSpan Window(TimeSpan phase) => phase - Guard > TimeSpan.FromSeconds(1) ? phase - Guard : TimeSpan.FromSeconds(1);

        private static async Task<IReadOnlyList<ProcessCpuShare>> Quietly(Task<IReadOnlyList<ProcessCpuShare>>? task)
        {
            try
            {
                return task is null ? [] : await task;
            }
            catch (OperationCanceledException)
            {
                return [];
            }
        }
    }
}
