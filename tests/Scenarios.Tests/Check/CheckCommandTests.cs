using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Chaos.Scenarios.Tests.Check;

public sealed partial class CheckCommandTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(int index, long timeMs, string process, string type, string f, string value) =>
        $$"""{"index":{{index}},"time":{{timeMs * 1_000_000}},"process":"{{process}}","type":"{{type}}","f":"{{f}}","value":{{value}}}""";

    /// <summary>u1 has one device; m1 and m2 are sent and acknowledged; m1 always arrives, m2 when <paramref name="deliverM2"/>.</summary>
    private static List<string> History(bool deliverM2 = true, bool sync = true, long latencyMs = 10)
    {
        var lines = new List<string>
        {
            Line(0, 0, "u1/d1", "ok", "device", """{"user":"u1","device":"d1"}"""),
            Line(1, 1, "s1", "invoke", "send", """{"id":"m1","to":["u1"]}"""),
            Line(2, 2, "s1", "ok", "send", """{"id":"m1","to":["u1"],"seq":{"u1":1}}"""),
            Line(3, 1 + latencyMs, "u1/d1", "ok", "deliver", """{"id":"m1","user":"u1","device":"d1","seq":1}"""),
            Line(4, 100, "s1", "invoke", "send", """{"id":"m2","to":["u1"]}"""),
            Line(5, 101, "s1", "ok", "send", """{"id":"m2","to":["u1"],"seq":{"u1":2}}"""),
        };
        if (deliverM2)
        {
            lines.Add(Line(6, 100 + latencyMs, "u1/d1", "ok", "deliver", """{"id":"m2","user":"u1","device":"d1","seq":2}"""));
        }

        if (sync)
        {
            var items = deliverM2 ? """[{"id":"m1","seq":1},{"id":"m2","seq":2}]""" : """[{"id":"m1","seq":1}]""";
            lines.Add(Line(7, 1000, "u1/d1", "ok", "sync", $$"""{"user":"u1","device":"d1","items":{{items}}}"""));
        }

        return lines;
    }

    private async Task<(ChaosCli.Outcome Outcome, string Out)> CheckAsync(IEnumerable<string> lines, params string[] extra)
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir, "history.jsonl");
        await File.WriteAllLinesAsync(path, lines, ct);
        var outDir = Path.Combine(_dir, "out");
        var outcome = await ChaosCli.RunAsync(Bound, ct, ["check", path, "--out", outDir, .. extra]);
        return (outcome, outDir);
    }

    private static JsonElement Results(string outDir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json"))).RootElement;

    [Fact]
    public async Task Check_ValidHistory_ExitsZeroAndWritesWellFormedReports()
    {
        var (outcome, outDir) = await CheckAsync(History());

        outcome.ExitCode.Should().Be(0, outcome.Stderr);
        outcome.Stdout.Should().Contain("verdict: valid");
        Results(outDir).GetProperty("valid").GetBoolean().Should().BeTrue();
        Results(outDir).GetProperty("anomalies").EnumerateObject().Should().BeEmpty();

        var junit = XDocument.Load(Path.Combine(outDir, "junit.xml"));
        var cases = junit.Descendants("testcase").ToList();
        cases.Select(c => (string?)c.Attribute("name")).Should().Contain(["No loss", "No duplicates", "Per-user ordering", "Jobs applied exactly once"]);
        cases.Should().OnlyContain(c => !c.Elements("failure").Any());
        cases.Single(c => (string?)c.Attribute("name") == "Jobs applied exactly once").Element("skipped")!.Attribute("message")!.Value
            .Should().Be("not exercised: no job was acknowledged", "a promise the history did not exercise is skipped, not passed");

        File.ReadAllText(Path.Combine(outDir, "summary.md")).Should().Contain("| No loss | held |");
        AssertSelfContained(File.ReadAllText(Path.Combine(outDir, "report.html")));
    }

    [Fact]
    public async Task Check_LostMessage_ExitsOneWithTheAnomalyAndItsEvents()
    {
        var (outcome, outDir) = await CheckAsync(History(deliverM2: false));

        outcome.ExitCode.Should().Be(1, outcome.Stderr);
        outcome.Stdout.Should().Contain("lost: 1");
        var results = Results(outDir);
        results.GetProperty("valid").GetBoolean().Should().BeFalse();
        var lost = results.GetProperty("anomalies").GetProperty("lost");
        lost.GetProperty("count").GetInt64().Should().Be(1);
        lost.GetProperty("examples")[0].GetProperty("events").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(4, 5, 7);

        var noLoss = XDocument.Load(Path.Combine(outDir, "junit.xml")).Descendants("testcase").Single(c => (string?)c.Attribute("name") == "No loss");
        noLoss.Element("failure")!.Attribute("message")!.Value.Should().Contain("lost: 1");
        File.ReadAllText(Path.Combine(outDir, "summary.md")).Should().Contain("| No loss | BROKEN | lost: 1 |");
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        html.Should().Contain("m2 acknowledged, never delivered to u1/d1");
        AssertSelfContained(html);
    }

    [Fact]
    public async Task Check_Json_PrintsOnlyOneDocumentOnStdout_WithTheResultsAndTheExitCode()
    {
        var (outcome, outDir) = await CheckAsync(History(deliverM2: false), "--json");

        outcome.ExitCode.Should().Be(1, outcome.Stderr);
        using var document = JsonDocument.Parse(outcome.Stdout);
        var root = document.RootElement;
        root.GetProperty("format").GetString().Should().Be("chaos-result");
        root.GetProperty("command").GetString().Should().Be("check");
        root.GetProperty("exitCode").GetInt32().Should().Be(1);
        root.GetProperty("errors").GetArrayLength().Should().Be(0);
        var result = root.GetProperty("results").EnumerateArray().Single();
        result.GetProperty("verdict").GetString().Should().Be("invalid");
        result.GetProperty("directory").GetString().Should().Be(outDir);
        result.GetProperty("results").GetProperty("anomalies").GetProperty("lost").GetProperty("count").GetInt64().Should().Be(1);
        outcome.Stderr.Should().Contain("lost: 1", "what a person reads goes to stderr");
    }

    [Fact]
    public async Task Check_JsonOnBadInput_IsStillOneDocument_NamingTheError()
    {
        var lines = History();
        lines[2] = """{"index":2,"time":2,"process":"s1","type":"ok","f":"send","value":{"to":["u1"]}}""";

        var (outcome, _) = await CheckAsync(lines, "--json");

        outcome.ExitCode.Should().Be(2);
        using var document = JsonDocument.Parse(outcome.Stdout);
        document.RootElement.GetProperty("exitCode").GetInt32().Should().Be(2);
        document.RootElement.GetProperty("results").GetArrayLength().Should().Be(0);
        document.RootElement.GetProperty("errors").EnumerateArray().Single().GetString().Should().Contain("line 3").And.Contain("'send' value lacks 'id'");
    }

    [Fact]
    public async Task Check_MalformedLine_ExitsTwoNamingTheLine()
    {
        var lines = History();
        lines[2] = """{"index":2,"time":2,"process":"s1","type":"ok","f":"send","value":{"to":["u1"]}}""";

        var (outcome, outDir) = await CheckAsync(lines);

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain("line 3").And.Contain("'send' value lacks 'id'");
        Directory.Exists(outDir).Should().BeFalse("nothing is reported from a history that could not be read");
    }

    [Fact]
    public async Task Check_MalformedLineWhenLenient_SkipsItAndChecksTheRest()
    {
        var lines = History();
        lines.Insert(3, "{\"index\": oops");

        var (outcome, outDir) = await CheckAsync(lines, "--lenient");

        outcome.ExitCode.Should().Be(0, outcome.Stderr);
        Results(outDir).GetProperty("skippedLines").GetInt64().Should().Be(1);
        File.ReadAllText(Path.Combine(outDir, "summary.md")).Should().Contain("1 malformed line(s) were skipped");
    }

    [Fact]
    public async Task Check_DrainUnfinished_ExitsTwoWithUnknownVerdict()
    {
        var (outcome, outDir) = await CheckAsync(History(sync: false));

        outcome.ExitCode.Should().Be(2, outcome.Stderr);
        outcome.Stdout.Should().Contain("UNKNOWN");
        Results(outDir).GetProperty("valid").GetString().Should().Be("unknown");
        var noLoss = XDocument.Load(Path.Combine(outDir, "junit.xml")).Descendants("testcase").Single(c => (string?)c.Attribute("name") == "No loss");
        noLoss.Element("error").Should().NotBeNull();
    }

    [Fact]
    public async Task Check_UnreadableFile_ExitsTwoWithAMessage()
    {
        var ct = TestContext.Current.CancellationToken;

        var outcome = await ChaosCli.RunAsync(Bound, ct, "check", Path.Combine(_dir, "missing.jsonl"), "--out", Path.Combine(_dir, "out"));

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain("cannot read").And.Contain("missing.jsonl");
    }

    [Fact]
    public async Task Check_ARunFolder_ChecksItsHistory_ByTheOptionsSavedBesideIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await File.WriteAllLinesAsync(Path.Combine(_dir, "history.jsonl"), History(latencyMs: 800), ct);
        await File.WriteAllTextAsync(Path.Combine(_dir, "check-options.json"), """{"latencySlos":["steady:p99=500ms"]}""", ct);
        var outDir = Path.Combine(_dir, "out");

        var outcome = await ChaosCli.RunAsync(Bound, ct, "check", _dir, "--out", outDir);

        outcome.ExitCode.Should().Be(1, outcome.Stderr);
        Results(outDir).GetProperty("anomalies").GetProperty("latency-slo").GetProperty("count").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task Check_AFolderWithoutAHistory_ExitsTwoNamingIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "not-a-run")).FullName;

        var outcome = await ChaosCli.RunAsync(Bound, ct, "check", empty, "--out", Path.Combine(_dir, "out"));

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain(empty).And.Contain("without a history.jsonl");
        Directory.Exists(Path.Combine(_dir, "out")).Should().BeFalse("nothing is written for a run that could not be done");
    }

    [Fact]
    public async Task Check_SloBreached_ExitsOneWithLatencySlo()
    {
        var (outcome, outDir) = await CheckAsync(History(latencyMs: 800), "--slo", "p99=500ms");

        outcome.ExitCode.Should().Be(1, outcome.Stderr);
        Results(outDir).GetProperty("anomalies").GetProperty("latency-slo").GetProperty("count").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task Check_BadSlo_ExitsTwoNamingIt()
    {
        var (outcome, _) = await CheckAsync(History(), "--slo", "p99=soon");

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain("p99=soon");
    }

    [Fact]
    public async Task Check_BadRetryDelay_ExitsTwoNamingIt()
    {
        var (outcome, _) = await CheckAsync(History(), "--retry-base-delay", "soonish");

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain("duration 'soonish'");
    }

    [Fact]
    public async Task Check_ReconnectMinDelay_JudgesTheDevicesReconnectPacing()
    {
        var lines = History().ToList();
        for (var i = 0; i < 6; i++)
        {
            // six attempts 1 ms apart: five pauses far under half of 100 ms
            lines.Add(Line(10 + i, 1001 + i, "u1/d1", "invoke", "connect", """{"user":"u1","device":"d1","client":1}"""));
        }

        var (outcome, outDir) = await CheckAsync(lines, "--reconnect-min-delay", "100ms");

        outcome.ExitCode.Should().Be(1, outcome.Stdout + outcome.Stderr);
        Results(outDir).GetProperty("anomalies").GetProperty("reconnect-storm").GetProperty("count").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task Check_ReconnectMaxDelay_JudgesAReconnectThatComesLate_OnlyWhenGiven()
    {
        var lines = History().ToList();
        // u1/d1 loses its connection at 1 s and tries again 4 s later: the first pause is at most 100 ms (+500 ms)
        lines.Add(Line(10, 1000, "u1/d1", "fail", "connect", """{"user":"u1","device":"d1","client":1}"""));
        lines.Add(Line(11, 5000, "u1/d1", "invoke", "connect", """{"user":"u1","device":"d1","client":1}"""));
        lines.Add(Line(12, 5100, "u1/d1", "ok", "connect", """{"user":"u1","device":"d1","client":1}"""));

        var (capped, cappedOut) = await CheckAsync(lines, "--reconnect-min-delay", "100ms", "--reconnect-max-delay", "1s");
        Results(cappedOut).GetProperty("anomalies").GetProperty("reconnect-late").GetProperty("count").GetInt64().Should().Be(1);
        capped.ExitCode.Should().Be(1, capped.Stdout + capped.Stderr);

        var (floorOnly, _) = await CheckAsync(lines, "--reconnect-min-delay", "100ms");
        floorOnly.ExitCode.Should().Be(0, "without the longest pause, only pauses too short are judged: " + floorOnly.Stderr);
    }

    [Fact]
    public async Task Check_BadRetryMaxDelay_ExitsTwoNamingIt()
    {
        var (outcome, _) = await CheckAsync(History(), "--retry-base-delay", "100ms", "--retry-max-delay", "0s");

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain("MaxDelay");
    }

    [Fact]
    public async Task Check_WithoutAReconnectPause_LeavesReconnectsUnjudged()
    {
        var lines = History().ToList();
        lines.AddRange(Enumerable.Range(0, 6).Select(i => Line(10 + i, 1001 + i, "u1/d1", "invoke", "connect", """{"user":"u1","device":"d1"}""")));

        var (outcome, outDir) = await CheckAsync(lines);

        outcome.ExitCode.Should().Be(0, "a history from elsewhere states no client policy: " + outcome.Stderr);
        Results(outDir).GetProperty("anomalies").TryGetProperty("reconnect-storm", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Check_DeclaredInformational_HoldsAndShowsTheReason()
    {
        var (outcome, outDir) = await CheckAsync(History(deliverM2: false), "--informational", "lost=this incident replays a known broker loss");

        outcome.ExitCode.Should().Be(0, outcome.Stderr);
        var lost = Results(outDir).GetProperty("anomalies").GetProperty("lost");
        lost.GetProperty("informational").GetBoolean().Should().BeTrue();
        lost.GetProperty("reason").GetString().Should().Contain("known broker loss");
    }

    [Fact]
    public async Task Check_UsesTheRunsCheckOptionsBesideTheHistory_UnlessFlagsAreGiven()
    {
        // a run that judged latency by a 500 ms SLO saved it beside its history
        await File.WriteAllTextAsync(Path.Combine(_dir, "check-options.json"), """{"latencySlos":["steady:p99=500ms"]}""", TestContext.Current.CancellationToken);

        var (byTheRun, byTheRunOut) = await CheckAsync(History(latencyMs: 800));

        byTheRun.ExitCode.Should().Be(1, byTheRun.Stderr);
        byTheRun.Stdout.Should().Contain("check-options.json").And.Contain("steady:p99=500ms");
        Results(byTheRunOut).GetProperty("anomalies").GetProperty("latency-slo").GetProperty("count").GetInt64().Should().Be(1);

        var (byFlags, _) = await CheckAsync(History(latencyMs: 800), "--slo", "p99=5s");

        byFlags.ExitCode.Should().Be(0, byFlags.Stderr);
    }

    [Fact]
    public async Task Check_BadOptionsFile_ExitsTwoNamingTheFileAndTheMember()
    {
        var path = Path.Combine(_dir, "opts.json");
        await File.WriteAllTextAsync(path, """{"retries":{"jitter":"lots"}}""", TestContext.Current.CancellationToken);

        var (outcome, _) = await CheckAsync(History(), "--options", path);
        var (both, _) = await CheckAsync(History(), "--options", path, "--slo", "p99=1s");

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain("opts.json").And.Contain("retries.jitter");
        both.ExitCode.Should().Be(2);
        both.Stderr.Should().Contain("exclude each other");
    }

    [Fact]
    public async Task Check_EmptyHistory_ExitsTwoUnknownNotValid()
    {
        // `: > empty.jsonl; chaos check empty.jsonl` used to print "verdict: valid", exit 0
        var (outcome, outDir) = await CheckAsync([]);

        outcome.ExitCode.Should().Be(2, outcome.Stdout + outcome.Stderr);
        outcome.Stdout.Should().Contain("verdict: UNKNOWN");
        outcome.Stdout.Split('\n').Where(l => l.Contains("undecided:", StringComparison.Ordinal)).Select(l => l.Trim())
            .Should().Equal(
                "undecided: exercise: required promise no-loss was not exercised: no send was acknowledged",
                "undecided: exercise: required promise no-duplicates was not exercised: nothing was delivered",
                "undecided: exercise: required promise only-what-was-sent was not exercised: nothing was delivered or synced",
                "undecided: exercise: required promise per-user-ordering was not exercised: no device received two messages and no user had two acknowledged sends with sequence numbers");
        outcome.Stderr.Should().BeEmpty();
        Results(outDir).GetProperty("valid").GetString().Should().Be("unknown");
        var junit = XDocument.Load(Path.Combine(outDir, "junit.xml"));
        junit.Descendants("testcase").Single(c => (string?)c.Attribute("name") == "No loss").Element("error")!.Attribute("type")!.Value.Should().Be("not-exercised");
    }

    [Fact]
    public async Task Check_OneAcknowledgedSendWithNoDeviceNoSyncNoDrain_ExitsTwo()
    {
        var (outcome, outDir) = await CheckAsync(
        [
            Line(0, 1, "s1", "invoke", "send", """{"id":"m1","to":["u1"]}"""),
            Line(1, 2, "s1", "ok", "send", """{"id":"m1","to":["u1"],"seq":{"u1":1}}"""),
        ]);

        outcome.ExitCode.Should().Be(2, outcome.Stdout + outcome.Stderr);
        outcome.Stdout.Should().Contain("verdict: UNKNOWN")
            .And.Contain("undecided: exercise: required promise no-loss was not exercised: none of the 1 acknowledged send(s) was addressed to a user with a device");
        var noLoss = Results(outDir).GetProperty("promises").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "no-loss");
        noLoss.GetProperty("status").GetString().Should().Be("not-exercised");
        noLoss.GetProperty("required").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Check_RequiredPromiseTheHistoryDidNotExercise_ExitsTwo_NotRequiredItIsShownAndPasses()
    {
        var (required, _) = await CheckAsync(History(), "--require", "no-loss", "--require", "jobs-exactly-once");
        var (nothing, _) = await CheckAsync(History(), "--require", "none", "--slo", "steady:p99=5s");

        required.ExitCode.Should().Be(2, required.Stdout + required.Stderr);
        required.Stdout.Should().Contain("undecided: exercise: required promise jobs-exactly-once was not exercised: no job was acknowledged");
        nothing.ExitCode.Should().Be(0, nothing.Stdout + nothing.Stderr);
        nothing.Stdout.Should().Contain("not exercised (not required): jobs-exactly-once — no job was acknowledged");
    }

    [Fact]
    public async Task Check_BadRequire_ExitsTwoNamingIt()
    {
        var (outcome, _) = await CheckAsync(History(), "--require", "no-lateness");

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Trim().Should().StartWith("chaos check: --require 'no-lateness': not a promise (known: no-loss,");
        outcome.Stderr.Trim().Split('\n').Should().ContainSingle("one line, no stack trace");
    }

    /// <summary>m1 in steady state delivered after 10 ms; a fault window around m2, delivered after 800 ms.</summary>
    private static List<string> FaultAroundM2() =>
    [
        Line(0, 0, "u1/d1", "ok", "device", """{"user":"u1","device":"d1"}"""),
        Line(1, 1, "s1", "invoke", "send", """{"id":"m1","to":["u1"]}"""),
        Line(2, 2, "s1", "ok", "send", """{"id":"m1","to":["u1"],"seq":{"u1":1}}"""),
        Line(3, 11, "u1/d1", "ok", "deliver", """{"id":"m1","user":"u1","device":"d1","seq":1}"""),
        Line(4, 50, "nemesis", "info", "fault", """{"fault":"kill","target":"notifier-1"}"""),
        Line(5, 100, "s1", "invoke", "send", """{"id":"m2","to":["u1"]}"""),
        Line(6, 101, "s1", "ok", "send", """{"id":"m2","to":["u1"],"seq":{"u1":2}}"""),
        Line(7, 900, "u1/d1", "ok", "deliver", """{"id":"m2","user":"u1","device":"d1","seq":2}"""),
        Line(8, 1000, "nemesis", "info", "heal", """{"fault":"kill","target":"notifier-1"}"""),
        Line(9, 1100, "u1/d1", "ok", "sync", """{"user":"u1","device":"d1","items":[{"id":"m1","seq":1},{"id":"m2","seq":2}]}"""),
    ];

    [Fact]
    public async Task Check_SloWithoutPhase_JudgesTheFaultPhaseToo_CitingItsSlowestDelivery()
    {
        // `--slo p99=500ms` used to mean steady state only, silently passing this 800 ms fault-phase delivery
        var (everyPhase, everyOut) = await CheckAsync(FaultAroundM2(), "--slo", "p99=500ms");

        everyPhase.ExitCode.Should().Be(1, everyPhase.Stdout + everyPhase.Stderr);
        var slo = Results(everyOut).GetProperty("anomalies").GetProperty("latency-slo");
        slo.GetProperty("count").GetInt64().Should().Be(1);
        var example = slo.GetProperty("examples")[0];
        example.GetProperty("events").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(5, 7);
        example.GetProperty("explanation").GetString().Should().StartWith("fault p99 delivery latency 800 ms > 500 ms over 1 deliveries (SLO p99=500ms, every phase;");

        var (steadyOnly, _) = await CheckAsync(FaultAroundM2(), "--slo", "steady:p99=500ms");

        steadyOnly.ExitCode.Should().Be(0, steadyOnly.Stdout + steadyOnly.Stderr);
    }

    private static void AssertSelfContained(string html)
    {
        html.Should().StartWith("<!DOCTYPE html>");
        html.Should().Contain("<svg").And.Contain("</html>");
        html.Should().NotContainAny("<script", "<link", "<iframe", "<img", "@import", "url(");
        ExternalReference().IsMatch(html).Should().BeFalse("the report must work offline");
    }

    [GeneratedRegex("""(src|href)\s*=\s*["']?\s*(https?:|//)""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
