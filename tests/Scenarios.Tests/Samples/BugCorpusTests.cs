using System.Diagnostics;
using Chaos.Harness.Checkers;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Tests.Samples;

/// <summary>
/// The hand-written bugs of bugs/ (docs/defects.md, "Bugs nobody named"): each patch names a scenario that exists,
/// seeds, and an anomaly the checkers know, and still applies to the source it patches — a patch that rotted would
/// make the nightly's <c>.ci/bugs</c> report "does not apply" instead of measuring anything. Running them is the
/// nightly's job (minutes per bug), not this suite's.
/// </summary>
public sealed class BugCorpusTests
{
    private static readonly string Bugs = Path.Combine(RepoFiles.Root, "bugs");

    public static TheoryData<string> Patches => new(Directory.GetFiles(Bugs, "*.patch").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void The_corpus_holds_bugs() => Directory.GetFiles(Bugs, "*.patch").Should().HaveCountGreaterThanOrEqualTo(2);

    [Theory]
    [MemberData(nameof(Patches))]
    public async Task Every_bug_names_a_scenario_seeds_and_a_known_anomaly_and_applies_to_the_source(string patch)
    {
        var path = Path.Combine(Bugs, patch);
        var header = File.ReadLines(path).TakeWhile(l => !l.StartsWith("diff --git", StringComparison.Ordinal)).ToList();

        string Field(string name) => header.SingleOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim()
            ?? throw new InvalidOperationException($"{patch} has no '{name}:' line");

        ScenarioCatalog.Find(Field("Scenario")).Should().NotBeNull($"{patch} names a scenario of the catalogue");
        Field("Seeds").Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().NotBeEmpty().And.OnlyContain(s => s.All(char.IsAsciiDigit));
        AnomalyNames.All.Should().Contain(Field("Expect"));
        header.Should().Contain(l => l.StartsWith("Bug:", StringComparison.Ordinal));
        File.ReadAllText(path).Should().Contain("\ndiff --git a/src/Reference.System/", "a bug is in the reference system, not in the harness that must catch it");

        var (exitCode, output) = await RunAsync("git", ["apply", "--check", path], TestContext.Current.CancellationToken);
        exitCode.Should().Be(0, $"{patch} must still apply to the source ({output}); refresh it");
    }

    [Fact]
    public async Task The_runner_refuses_a_bug_it_does_not_have_with_exit_2()
    {
        var report = Path.Combine(Path.GetTempPath(), "chaos-run-tests", "bugs-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (exitCode, output) = await RunAsync(Path.Combine(RepoFiles.Root, ".ci", "bugs"), ["--out", report, "no-such-bug"], TestContext.Current.CancellationToken);

            exitCode.Should().Be(2);
            output.Should().Contain("no such bug: bugs/no-such-bug.patch");
        }
        finally
        {
            if (Directory.Exists(report))
            {
                Directory.Delete(report, recursive: true);
            }
        }
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoFiles.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
