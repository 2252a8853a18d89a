using BenchmarkDotNet.Attributes;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Benchmarks.Checkers;

/// <summary>Reading and checking a generated history of about a million events, per shape (docs/checkers.md has the
/// figures): <c>dotnet run -c Release --project tests/Benchmarks -- --filter *CheckerBenchmarks*</c>.</summary>
/// <remarks>In-process: on the shared build machine, building BenchmarkDotNet's separate project times out.</remarks>
[MemoryDiagnoser]
[InProcess]
[WarmupCount(1)]
[IterationCount(5)]
public class CheckerBenchmarks
{
    private string _path = "";
    private List<HistoryEvent> _history = [];

    [Params(1_000_000)]
    public int Events { get; set; }

    /// <summary>One of <see cref="SyntheticHistoryShapes.ByName"/>: many users with few events, a few with many, heavy fan-out, many devices.</summary>
    [Params("standard", "many-users", "few-users", "fan-out", "many-devices")]
    public string Shape { get; set; } = "standard";

    [GlobalSetup]
    public void Setup()
    {
        _history = SyntheticHistory.Generate(SyntheticHistoryShapes.ByName[Shape] with { TargetEvents = Events, Seed = 1 });
        _path = Path.Combine(Path.GetTempPath(), $"chaos-bench-{Shape}-{Events}.jsonl");
        HistoryFile.WriteAllAsync(_history, _path, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    /// <summary>Parse the file (strict).</summary>
    [Benchmark]
    public async Task<int> Read() =>
        (await HistoryReader.ReadAllAsync(_path, HistoryReadMode.Strict, CancellationToken.None)).Events.Count;

    /// <summary>The standard composite on an in-memory history (a fresh list, so nothing is cached between runs).</summary>
    [Benchmark]
    public Verdict Check() => StandardChecks.Check([.. _history]).Verdict;

    /// <summary>What <c>chaos check</c> does, minus writing reports: read, then check.</summary>
    [Benchmark]
    public async Task<Verdict> ReadAndCheck()
    {
        var read = await HistoryReader.ReadAllAsync(_path, HistoryReadMode.Strict, CancellationToken.None);
        return StandardChecks.Check(read.Events).Verdict;
    }
}
