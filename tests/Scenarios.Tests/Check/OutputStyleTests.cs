using Chaos.Scenarios.Commands;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Scenarios.Tests.Check;

/// <summary>--quiet, --no-color, NO_COLOR and the coloured verdict on a terminal (docs/running.md, "What the commands print"), and the suite's ETA.</summary>
public sealed class OutputStyleTests : IDisposable
{
    // an SGR colour as OutputStyle writes it (the runtime itself sends other escapes to a terminal: keypad mode)
    private const string Escape = "\u001b[1;";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-style-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>u1's one device gets m1; when <paramref name="lose"/>, an acknowledged m2 never arrives (lost).</summary>
    private string History(bool lose)
    {
        static string Line(int index, long ms, string process, string type, string f, string value) =>
            $$"""{"index":{{index}},"time":{{ms * 1_000_000}},"process":"{{process}}","type":"{{type}}","f":"{{f}}","value":{{value}}}""";
        var items = lose ? """[{"id":"m1","seq":1}]""" : """[{"id":"m1","seq":1},{"id":"m2","seq":2}]""";
        List<string> lines =
        [
            Line(0, 0, "u1/d1", "ok", "device", """{"user":"u1","device":"d1"}"""),
            Line(1, 1, "s1", "invoke", "send", """{"id":"m1","to":["u1"]}"""),
            Line(2, 2, "s1", "ok", "send", """{"id":"m1","to":["u1"],"seq":{"u1":1}}"""),
            Line(3, 11, "u1/d1", "ok", "deliver", """{"id":"m1","user":"u1","device":"d1","seq":1}"""),
            Line(4, 100, "s1", "invoke", "send", """{"id":"m2","to":["u1"]}"""),
            Line(5, 101, "s1", "ok", "send", """{"id":"m2","to":["u1"],"seq":{"u1":2}}"""),
            Line(6, 1000, "u1/d1", "ok", "sync", $$"""{"user":"u1","device":"d1","items":{{items}}}"""),
        ];
        if (!lose)
        {
            lines.Insert(6, Line(6, 110, "u1/d1", "ok", "deliver", """{"id":"m2","user":"u1","device":"d1","seq":2}"""));
        }

        var path = Path.Combine(_dir, lose ? "lost.jsonl" : "valid.jsonl");
        File.WriteAllLines(path, lines.Select((l, i) => System.Text.RegularExpressions.Regex.Replace(l, "\"index\":\\d+", $"\"index\":{i}")));
        return path;
    }

    [Fact]
    public async Task Check_Quiet_PrintsTheVerdictAndNoReportPath()
    {
        var ct = TestContext.Current.CancellationToken;

        var loud = await ChaosCli.RunAsync(Bound, ct, "check", History(lose: true), "--out", Path.Combine(_dir, "loud"));
        var quiet = await ChaosCli.RunAsync(Bound, ct, "check", History(lose: true), "--out", Path.Combine(_dir, "quiet"), "--quiet");

        loud.ExitCode.Should().Be(1, loud.Stderr);
        quiet.ExitCode.Should().Be(1, quiet.Stderr);
        loud.Stdout.Should().Contain("reports: ");
        quiet.Stdout.Should().Contain("verdict: INVALID").And.Contain("lost: 1").And.NotContain("reports: ");
        quiet.Stdout.Should().NotContain(Escape, "stdout is a pipe: never coloured");
        File.Exists(Path.Combine(_dir, "quiet", "results.json")).Should().BeTrue("quiet prints less, and writes every report still");
    }

    [Fact]
    public async Task Check_OnATerminal_ColoursTheVerdict_UnlessNoColorOrNO_COLOR()
    {
        Assert.SkipUnless(ChaosCli.TerminalAvailable, "needs util-linux `script` for a pseudo-terminal (Debian: bsdutils)");
        var ct = TestContext.Current.CancellationToken;
        var valid = History(lose: false);
        var lost = History(lose: true);

        var green = await ChaosCli.RunOnTerminalAsync(Bound, ct, [], "check", valid, "--out", Path.Combine(_dir, "a"));
        var red = await ChaosCli.RunOnTerminalAsync(Bound, ct, [], "check", lost, "--out", Path.Combine(_dir, "b"));
        var flag = await ChaosCli.RunOnTerminalAsync(Bound, ct, [], "check", lost, "--out", Path.Combine(_dir, "c"), "--no-color");
        var variable = await ChaosCli.RunOnTerminalAsync(Bound, ct, [("NO_COLOR", "1")], "check", lost, "--out", Path.Combine(_dir, "d"));

        green.ExitCode.Should().Be(0, green.Stdout);
        green.Stdout.Should().Contain("verdict: \u001b[1;32mvalid\u001b[0m");
        red.ExitCode.Should().Be(1, red.Stdout);
        red.Stdout.Should().Contain("verdict: \u001b[1;31mINVALID\u001b[0m");
        flag.Stdout.Should().Contain("verdict: INVALID").And.NotContain(Escape);
        variable.Stdout.Should().Contain("verdict: INVALID").And.NotContain(Escape);
    }

    [Fact]
    public void SuiteProgress_GivesNoEstimateBeforeARunEnds_ThenTheMeanTimesWhatIsLeft()
    {
        var clock = new FakeTimeProvider();
        var progress = new SuiteProgress(4, clock);

        progress.Describe().Should().Be("[1/4]");
        clock.Advance(TimeSpan.FromMinutes(2));
        progress.Completed();
        progress.Describe().Should().Be("[2/4, about 6m left]");
        clock.Advance(TimeSpan.FromMinutes(4));
        progress.Completed();
        progress.Describe().Should().Be("[3/4, about 6m left]", "3 minutes a run on average, two runs to go");
    }

    [Theory]
    [InlineData(0.4, "1s")]
    [InlineData(45, "45s")]
    [InlineData(14 * 60, "14m")]
    [InlineData((2 * 3600) + (5 * 60), "2h05m")]
    public void SuiteProgress_Format_ReadsAsAPersonWould(double seconds, string expected) =>
        SuiteProgress.Format(TimeSpan.FromSeconds(seconds)).Should().Be(expected);
}
