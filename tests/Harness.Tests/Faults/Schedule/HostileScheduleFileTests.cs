using System.Diagnostics;
using System.Globalization;
using System.Text;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Tests.Faults.Schedule;

/// <summary>
/// Schedule and incident files the harness did not write, built to hurt it: each is refused with an error naming
/// the file, quickly and in bounded memory (docs/schedules.md, "Incident files"). Before the limits, the alias bomb
/// grew to 24 GB, the deep nesting overflowed the stack and the many keys took 41 s.
/// </summary>
public sealed class HostileScheduleFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Parse_YamlAliasBomb_IsRefusedWithoutExpandingIt()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 9; level++)
        {
            var previous = $"*a{level - 1}";
            yaml.Append(CultureInfo.InvariantCulture, $"a{level}: &a{level} [{string.Join(", ", Enumerable.Repeat(previous, 9))}]\n");
        }

        yaml.Append("faults: *a9\n");

        var watch = Stopwatch.StartNew();
        var act = () => FaultScheduleFile.Parse(yaml.ToString(), ScheduleFileFormat.Yaml, sourceName: "bomb.yaml");

        act.Should().Throw<ScheduleFileException>().Which.Message.Should().Contain("bomb.yaml").And.Contain("more than 100,000 values");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the expansion is counted, not built");
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    public void Parse_YamlFlowNestedBeyondTheLimit_IsRefusedNotAStackOverflow(string open, string close)
    {
        const int depth = 100_000;
        var yaml = string.Concat(Enumerable.Repeat(open, depth)) + "x" + string.Concat(Enumerable.Repeat(close, depth));

        var act = () => FaultScheduleFile.Parse(yaml, ScheduleFileFormat.Yaml, sourceName: "deep.yaml");

        act.Should().Throw<ScheduleFileException>().Which.Message.Should().Contain("deep.yaml").And.Contain("more than 64 levels");
    }

    [Fact]
    public void Parse_YamlBlockNestedBeyondTheLimit_IsRefused()
    {
        // "-" alone on a line, then a more indented "-": a sequence whose item is a sequence, 200 times
        var yaml = string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i * 2) + "-\n")) + new string(' ', 400) + "x\n";

        var act = () => FaultScheduleFile.Parse(yaml, ScheduleFileFormat.Yaml, sourceName: "deep.yaml");

        act.Should().Throw<ScheduleFileException>().Which.Message.Should().Contain("more than 64 levels");
    }

    [Fact]
    public void Parse_YamlNestedWithinTheLimit_IsRead()
    {
        var yaml = "faults: []\nextra: " + string.Concat(Enumerable.Repeat("[", 60)) + string.Concat(Enumerable.Repeat("]", 60)) + "\n";

        var act = () => FaultScheduleFile.Parse(yaml, ScheduleFileFormat.Yaml, sourceName: "ok.yaml");

        // read in full: the only problem is the unknown field, not the nesting
        act.Should().Throw<ScheduleFileException>().Which.Message.Should().Contain("unknown field 'extra'").And.NotContain("levels");
    }

    [Fact]
    public void Parse_JsonWithManyUnknownKeys_IsQuickAndListsTheFirstProblemsOnly()
    {
        const int keys = 120_000;
        var json = new StringBuilder("{\"faults\": [], ");
        for (var i = 0; i < keys; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $"\"k{i}\": 1, ");
        }

        json.Append("\"last\": 1}");

        var watch = Stopwatch.StartNew();
        var act = () => FaultScheduleFile.Parse(json.ToString(), ScheduleFileFormat.Json, sourceName: "wide.json");

        var error = act.Should().Throw<ScheduleFileException>().Which;
        // A runaway guard, not a speed target (docs/testing.md, "Flakiness"): on a crowded box this took 10.07 s and
        // failed a 10 s bound (.ci/run on fc8a7d3, another build running beside it).
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "duplicate keys are found with a set, not a scan");
        error.Errors.Should().HaveCount(keys + 1);
        error.Message.Split('\n').Should().HaveCount(ScheduleFileException.MaxListed + 2);
        error.Message.Should().StartWith($"{keys + 1} problems, the first 20:").And.EndWith($"... and {keys + 1 - 20} more");
    }

    [Fact]
    public void Parse_YamlThatStopsYamlDotNetsScanner_IsASyntaxError()
    {
        // found by tests/Harness.Tests/Fuzz: an unclosed flow mapping followed by more text made the scanner throw
        // InvalidOperationException, which crashed `chaos replay` with exit 1
        const string yaml = "faults:\n  - at: 10s\n    parameters: { la.5s\n    parameters: { latency: 500ms }\n";

        var act = () => FaultScheduleFile.Parse(yaml, ScheduleFileFormat.Yaml, sourceName: "scan.yaml");

        act.Should().Throw<ScheduleFileException>().Which.Message.Should().StartWith("scan.yaml:").And.Contain("not valid YAML");
    }

    [Fact]
    public void Parse_JsonDuplicateKey_IsStillFound()
    {
        var act = () => FaultScheduleFile.Parse("{\"faults\": [], \"faults\": []}", ScheduleFileFormat.Json, sourceName: "dup.json");

        act.Should().Throw<ScheduleFileException>().Which.Message.Should().Contain("'faults' appears twice");
    }

    [Theory]
    [InlineData("{\"faults\": [], \"name\": \"\\ud800\"}")]
    [InlineData("{\"faults\": [], \"\\udfff\": 1}")]
    public void Parse_JsonLoneSurrogate_IsAnErrorAtItsLine(string json)
    {
        var act = () => FaultScheduleFile.Parse(json, ScheduleFileFormat.Json, sourceName: "s.json");

        act.Should().Throw<ScheduleFileException>().Which.Message.Should().StartWith("s.json:1:").And.Contain("not valid text");
    }

    [Fact]
    public async Task LoadAsync_FileLargerThanTheLimit_IsRefusedWithoutReadingItAll()
    {
        var directory = Directory.CreateTempSubdirectory("chaos-incident-");
        try
        {
            var path = Path.Combine(directory.FullName, "huge.json");
            await using (var file = File.Create(path))
            {
                file.SetLength(FaultScheduleFile.MaxFileBytes + 1);
            }

            var act = () => FaultScheduleFile.LoadAsync(path, cancellationToken: Ct);

            (await act.Should().ThrowAsync<ScheduleFileException>()).Which.Message.Should().Be($"{path}:0:0: (file): the file is larger than 16 MiB");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task LoadAsync_EndlessDevice_IsRefused()
    {
        Assert.SkipUnless(File.Exists("/dev/zero"), "needs /dev/zero");

        var act = () => FaultScheduleFile.LoadAsync("/dev/zero", cancellationToken: Ct);

        (await act.Should().ThrowAsync<ScheduleFileException>()).Which.Message.Should().Contain("larger than 16 MiB");
    }
}
