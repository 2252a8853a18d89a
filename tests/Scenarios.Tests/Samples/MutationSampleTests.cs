namespace Chaos.Scenarios.Tests.Samples;

/// <summary>
/// The nightly's mutation score (<c>.ci/mutants</c>, docs/defects.md "The mutation score"): a mutant from Stryker's
/// report is spliced into its file by <c>.ci/mutants.splice.jq</c> — here on known text, single-line and across lines,
/// so a wrong column rule cannot quietly mutate the wrong code — and the script refuses bad input with exit 2 before
/// it starts anything. Running the sample is the nightly's job (minutes per mutant), not this suite's.
/// </summary>
public sealed class MutationSampleTests
{
    private static readonly string Splice = Path.Combine(RepoFiles.Root, ".ci", "mutants.splice.jq");

    [Fact]
    public async Task A_one_line_mutant_replaces_exactly_its_columns()
    {
        // "!x" is columns 12–13 of line 2: start 12, end 14 (exclusive), as Stryker reports it
        var mutant = """{"location":{"start":{"line":2,"column":12},"end":{"line":2,"column":14}},"replacement":"x"}""";
        const string source = "a\n    while (!x)\nb\n";

        (await SpliceAsync(mutant, source, "original")).Should().Be("!x");
        (await SpliceAsync(mutant, source, "mutate")).Should().Be("a\n    while (x)\nb\n");
    }

    [Fact]
    public async Task A_block_removal_spans_lines_and_keeps_what_follows()
    {
        var mutant = """{"location":{"start":{"line":2,"column":5},"end":{"line":4,"column":6}},"replacement":"{}"}""";
        const string source = "f()\n    {\n        g(); // é\n    } h();\nend";

        (await SpliceAsync(mutant, source, "original")).Should().Be("{\n        g(); // é\n    }");
        (await SpliceAsync(mutant, source, "mutate")).Should().Be("f()\n    {} h();\nend");
    }

    [Fact]
    public async Task An_unknown_mode_is_an_error_not_an_unchanged_file()
    {
        Assert.SkipWhen(!HasJq, "jq is not installed (apt-get install jq; .ci/run installs it)");
        var (exitCode, output) = await RunInTempAsync("{}", "x", "both");

        exitCode.Should().NotBe(0);
        output.Should().Contain("mode must be mutate or original, not both");
    }

    [Theory]
    [InlineData("--count", "many", "'many' is not a whole number")]
    [InlineData("--seed", "-1", "'-1' is not a whole number")]
    [InlineData("--colour", "red", "unknown argument --colour")]
    [InlineData("--ids", "71", "'71' is not a mutant id (server-N or client-N")]
    [InlineData("--scenario", "random-mix,../x", "'../x' is not a scenario name")]
    [InlineData("--scenario", ",", "'' is not a scenario name")]
    public async Task The_script_refuses_bad_input_with_exit_2_before_it_starts(string option, string value, string message)
    {
        var (exitCode, output) = await BugCorpusTests.RunAsync(Path.Combine(RepoFiles.Root, ".ci", "mutants"), [option, value], TestContext.Current.CancellationToken);

        exitCode.Should().Be(2);
        output.Should().Contain(message);
    }

    [Fact]
    public async Task The_sample_is_seeded_exact_in_size_and_independent_across_seeds()
    {
        // a pool as big as Stryker's (about 1,200 mutants, lines of ~200 bytes): `sort | head` under pipefail once died
        // of SIGPIPE on such a pool, ending a 40-mutant run at exit 141
        var dir = Directory.CreateTempSubdirectory("chaos-mutants-sample-");
        try
        {
            var pool = Path.Combine(dir.FullName, "pool.jsonl");
            await File.WriteAllLinesAsync(pool, Enumerable.Range(1, 1200).Select(i => $$"""{"id":"server-{{i}}","replacement":"{{new string('x', 160)}}"}"""), TestContext.Current.CancellationToken);
            var sampler = Path.Combine(RepoFiles.Root, ".ci", "mutants.sample");

            var first = await BugCorpusTests.RunAsync(sampler, [pool, "1", "40"], TestContext.Current.CancellationToken);
            var again = await BugCorpusTests.RunAsync(sampler, [pool, "1", "40"], TestContext.Current.CancellationToken);
            var other = await BugCorpusTests.RunAsync(sampler, [pool, "2", "40"], TestContext.Current.CancellationToken);

            first.ExitCode.Should().Be(0, first.Output);
            var drawn = first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            drawn.Should().HaveCount(40).And.OnlyHaveUniqueItems().And.OnlyContain(l => l.StartsWith("{\"id\":\"server-", StringComparison.Ordinal));
            again.Output.Should().Be(first.Output, "the same pool, seed and count draw the same mutants");
            other.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Intersect(drawn).Count()
                .Should().BeLessThan(10, "another seed draws another sample (40 of 1,200 twice: about 1.3 shared by chance)");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static bool HasJq => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "jq")));

    private static async Task<string> SpliceAsync(string mutant, string source, string mode)
    {
        Assert.SkipWhen(!HasJq, "jq is not installed (apt-get install jq; .ci/run installs it)");
        var (exitCode, output) = await RunInTempAsync(mutant, source, mode);
        exitCode.Should().Be(0, output);
        return output;
    }

    private static async Task<(int ExitCode, string Output)> RunInTempAsync(string mutant, string source, string mode)
    {
        var folder = Path.Combine(Path.GetTempPath(), "chaos-run-tests", "mutants-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var mutantFile = Path.Combine(folder, "mutant.json");
            var sourceFile = Path.Combine(folder, "Source.cs");
            await File.WriteAllTextAsync(mutantFile, mutant, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(sourceFile, source, TestContext.Current.CancellationToken);
            return await BugCorpusTests.RunAsync("jq", ["-j", "--rawfile", "src", sourceFile, "--arg", "mode", mode, "-f", Splice, mutantFile], TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
