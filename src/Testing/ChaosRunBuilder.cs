using System.Collections.Immutable;
using System.Globalization;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Testing;

/// <summary>
/// A chaos run, described fluently and immutably (docs/testing-package.md, "A chaos test"): each <c>With…</c> returns a
/// new builder and leaves this one as it was, so a test class can keep a base and vary it per test.
/// <code>
/// var result = await ChaosRunBuilder.Scenario("websocket-cut").WithSeed(2).WithDuration(TimeSpan.FromSeconds(12))
///     .WithLoad(rate: 30, users: 10).RunAsync(ct);
/// result.Should().HoldEveryPromise().And.KeepP99("steady", TimeSpan.FromSeconds(2));
/// </code>
/// The run is the installed <c>chaos</c> tool (<c>chaos run</c>), started as a child process, as Testcontainers drives
/// Docker: the tool carries the reference system and runs a system file's adapter, and every run is its own process
/// with its own ports, Kafka and folder, so runs in parallel tests keep apart.
/// </summary>
public sealed class ChaosRunBuilder
{
    /// <summary>The tool when none is given: <c>CHAOS_TOOL</c>, else <c>chaos</c> on the PATH.</summary>
    public const string ToolVariable = "CHAOS_TOOL";

    /// <summary>Where run folders go when none is given: <c>CHAOS_REPORTS</c>, else <c>chaos-runs</c> in the temporary folder.</summary>
    public const string ReportsVariable = "CHAOS_REPORTS";

    private readonly Settings _settings;

    private ChaosRunBuilder(Settings settings) => _settings = settings;

    /// <summary>A run of the scenario <paramref name="name"/> (<c>chaos list</c> names them), with its own defaults for
    /// everything not given.</summary>
    public static ChaosRunBuilder Scenario(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new ChaosRunBuilder(new Settings(name.Trim()));
    }

    /// <summary>The seed: it fixes every random choice of the run (docs/running.md).</summary>
    public ChaosRunBuilder WithSeed(long seed) =>
        seed < 0 ? throw new ArgumentOutOfRangeException(nameof(seed), seed, "a seed is not negative") : With(_settings with { Seed = seed });

    /// <summary>The fault phase's length.</summary>
    public ChaosRunBuilder WithDuration(TimeSpan duration) =>
        duration <= TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(duration), duration, "a duration is positive") : With(_settings with { Duration = duration });

    /// <summary>The open-model load: <paramref name="rate"/> sends per second over <paramref name="users"/> users.</summary>
    public ChaosRunBuilder WithLoad(double rate, int users)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(users);
        return With(_settings with { Rate = rate, Users = users });
    }

    /// <summary>A defect switch of the reference system (<c>chaos list</c> names them); may be given more than once.</summary>
    public ChaosRunBuilder WithDefect(string defect)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defect);
        return With(_settings with { Defects = _settings.Defects.Add(defect.Trim()) });
    }

    /// <summary>The system under test: a system file (docs/systems.md); the reference system when not given.</summary>
    public ChaosRunBuilder WithSystem(string systemFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(systemFile);
        return With(_settings with { SystemFile = Path.GetFullPath(systemFile) });
    }

    /// <summary>Any other <c>chaos run</c> flags, as given (<c>"--topology", "containers"</c>); the tool refuses a wrong one with exit 2.</summary>
    public ChaosRunBuilder WithArguments(params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return With(_settings with { Extra = _settings.Extra.AddRange(arguments) });
    }

    /// <summary>The tool: an executable (<c>./tools/chaos</c>), with arguments before the tool's own
    /// (<c>WithTool("dotnet", "path/chaos.dll")</c>).</summary>
    public ChaosRunBuilder WithTool(string executable, params string[] leadingArguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        ArgumentNullException.ThrowIfNull(leadingArguments);
        return With(_settings with { Tool = executable, ToolArguments = [.. leadingArguments] });
    }

    /// <summary>The folder the run's own folder is made in (a new one per run).</summary>
    public ChaosRunBuilder WithReportsUnder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return With(_settings with { ReportsRoot = Path.GetFullPath(folder) });
    }

    /// <summary>How long the run may take before it is stopped (10 minutes when not given).</summary>
    public ChaosRunBuilder WithTimeout(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a timeout is positive") : With(_settings with { Timeout = timeout });

    /// <summary>The scenario this builder runs.</summary>
    public string ScenarioName => _settings.Scenario;

    /// <summary>The tool's arguments for a run into <paramref name="folder"/>: <c>run &lt;scenario&gt; … --out &lt;folder&gt; --quiet</c>.</summary>
    public IReadOnlyList<string> Arguments(string folder)
    {
        var s = _settings;
        List<string> args = ["run", s.Scenario];
        if (s.Seed is { } seed)
        {
            args.AddRange(["--seed", seed.ToString(CultureInfo.InvariantCulture)]);
        }

        if (s.Duration is { } duration)
        {
            args.AddRange(["--duration", DurationText.Format(duration)]);
        }

        if (s.Rate is { } rate && s.Users is { } users)
        {
            args.AddRange(["--rate", rate.ToString(CultureInfo.InvariantCulture), "--users", users.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var defect in s.Defects)
        {
            args.AddRange(["--defect", defect]);
        }

        if (s.SystemFile is { } system)
        {
            args.AddRange(["--system", system]);
        }

        args.AddRange(s.Extra);
        args.AddRange(["--out", folder, "--quiet"]);
        return args;
    }

    /// <summary>
    /// Starts the run: a new folder under the reports folder, the tool started in it. Dispose the returned
    /// <see cref="ChaosRun"/> (<c>await using</c>): a run still going is stopped, its faults healed and its processes gone.
    /// </summary>
    /// <exception cref="ChaosRunException">The tool could not be started (not installed, not executable).</exception>
    public Task<ChaosRun> StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var root = _settings.ReportsRoot
            ?? (Environment.GetEnvironmentVariable(ReportsVariable) is { Length: > 0 } reports ? Path.GetFullPath(reports) : Path.Combine(Path.GetTempPath(), "chaos-runs"));
        Directory.CreateDirectory(root);
        var seed = _settings.Seed is { } s ? "-" + s.ToString(CultureInfo.InvariantCulture) : "";
        var folder = Path.Combine(root, $"{Safe(_settings.Scenario)}{seed}-{Guid.NewGuid().ToString("N")[..8]}");
        var tool = _settings.Tool ?? (Environment.GetEnvironmentVariable(ToolVariable) is { Length: > 0 } t ? t : "chaos");
        return Task.FromResult(ChaosRun.Start(tool, [.. _settings.ToolArguments, .. Arguments(folder)], folder, _settings.Timeout));
    }

    /// <summary>Starts the run, waits for it and returns what it decided (<see cref="ChaosRun.WaitAsync"/>).</summary>
    /// <exception cref="ChaosRunException">The run could not be done (the tool exited 2, or could not be started).</exception>
    /// <exception cref="TimeoutException">The run outlasted its timeout; it was stopped.</exception>
    public async Task<ChaosRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        await using var run = await StartAsync(cancellationToken);
        return await run.WaitAsync(cancellationToken);
    }

    private static string Safe(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(48)]);

    private ChaosRunBuilder With(Settings settings) => new(settings);

    private sealed record Settings(string Scenario)
    {
        public long? Seed { get; init; }

        public TimeSpan? Duration { get; init; }

        public double? Rate { get; init; }

        public int? Users { get; init; }

        public ImmutableList<string> Defects { get; init; } = [];

        public string? SystemFile { get; init; }

        public ImmutableList<string> Extra { get; init; } = [];

        public string? Tool { get; init; }

        public ImmutableList<string> ToolArguments { get; init; } = [];

        public string? ReportsRoot { get; init; }

        public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    }
}
