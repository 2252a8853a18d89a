using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Reports;
using Chaos.Harness.Tests.Checkers;

namespace Chaos.Harness.Tests.Reports;

public sealed class RunReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A fault window, one lost message and one recovered one.</summary>
    private static TestHistory Broken()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Fault("kill", HistoryOps.Fault, 10);
        h.Invoke("s2", "m3", "u1");
        h.Complete("s2", HistoryEventType.Info, "m3");
        h.Deliver("u1", "d1", "m3", 2);
        h.Fault("kill", HistoryOps.Heal, 20);
        h.Send("s1", "m2", "u1", 3);
        h.Sync("u1", "d1", ("m1", 1), ("m3", 2));
        return h;
    }

    private async Task<ReportInput> WriteAsync(TestHistory h, CheckOptions? options = null)
    {
        var result = StandardChecks.Check(h.Events, options);
        var input = new ReportInput(h.Events, result, new RunMetadata { Scenario = "broker-kill", Seed = 42, Elapsed = TimeSpan.FromMilliseconds(31_250) });
        await RunReport.WriteAsync(input, _dir, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return input;
    }

    [Fact]
    public async Task WriteAsync_InvalidRun_ResultsJsonHasTheContractShape()
    {
        await WriteAsync(Broken());

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "results.json"), TestContext.Current.CancellationToken));
        var root = doc.RootElement;
        root.GetProperty("valid").GetBoolean().Should().BeFalse();
        root.GetProperty("seed").GetInt64().Should().Be(42);
        var anomalies = root.GetProperty("anomalies");
        anomalies.GetProperty("lost").GetProperty("count").GetInt64().Should().Be(1);
        anomalies.GetProperty("recovered").GetProperty("informational").GetBoolean().Should().BeTrue();
        anomalies.GetProperty("lost").GetProperty("examples")[0].GetProperty("events").GetArrayLength().Should().Be(3);
        root.GetProperty("faults")[0].GetProperty("fault").GetString().Should().Be("kill");
        root.GetProperty("promises").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "no-loss")
            .GetProperty("status").GetString().Should().Be("broken");
    }

    [Fact]
    public async Task WriteAsync_InvalidRun_JunitFailsOnlyTheBrokenPromise()
    {
        await WriteAsync(Broken());

        var suite = XDocument.Load(Path.Combine(_dir, "junit.xml")).Descendants("testsuite").Single();
        suite.Attribute("name")!.Value.Should().Be("chaos.broker-kill.seed42");
        suite.Attribute("time")!.Value.Should().Be("31.250");
        suite.Parent!.Attribute("time")!.Value.Should().Be("31.250");
        suite.Attribute("failures")!.Value.Should().Be("1");
        var failed = suite.Elements("testcase").Where(c => c.Element("failure") is not null).Select(c => c.Attribute("name")!.Value);
        failed.Should().Equal("No loss");
        suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == "No loss").Element("failure")!.Value
            .Should().Contain("m2 acknowledged, never delivered to u1/d1");
    }

    [Fact]
    public async Task WriteAsync_Html_ShowsFaultLanesAndEachExampleAsATimeline()
    {
        await WriteAsync(Broken());

        var html = await File.ReadAllTextAsync(Path.Combine(_dir, "report.html"), TestContext.Current.CancellationToken);
        html.Should().Contain("class=\"fault lane\"", "the fault window is a bar on its target's lane");
        html.Should().Contain("Delivery latency by delivery time").And.Contain("Throughput");
        html.Should().Contain("<h3 id=\"lost\">lost: 1").And.Contain("aria-label=\"event timeline\"");
        html.Should().Contain("&quot;id&quot;:&quot;m2&quot;", "the example's events are listed with their values");
        html.Should().NotContainAny("<script", "http://", "https://", "<link");
    }

    /// <summary>
    /// Ten seconds of sends delivered 50 ms later, but none between 4 s and 7 s (a stall); two faults that overlap on
    /// different targets; one send failed and one ended info inside the stall; one acknowledged message never
    /// delivered.
    /// </summary>
    internal static TestHistory StalledWithOverlappingFaults()
    {
        var h = new TestHistory().Device("u1", "d1");
        var delivered = new List<(string, long)>();
        long seq = 0;
        for (var i = 0; i < 100; i++)
        {
            switch (i)
            {
                case 35: h.Fault("kill", HistoryOps.Fault, 3_550, "gateway-1"); break;
                case 38: h.Fault("latency", HistoryOps.Fault, 3_850, "api-1"); break;
                case 45:
                    h.At(4_500).Invoke("f1", "x1", "u1");
                    h.Complete("f1", HistoryEventType.Fail, "x1", "u1");
                    h.At(5_000).Invoke("i1", "x2", "u1");
                    h.At(6_000).Complete("i1", HistoryEventType.Info, "x2", "u1");
                    break;
                case 60: h.Fault("kill", HistoryOps.Heal, 6_050, "gateway-1"); break;
                case 75: h.Fault("latency", HistoryOps.Heal, 7_550, "api-1"); break;
                default: break;
            }

            if (i is >= 40 and < 70)
            {
                continue;
            }

            var t = (i * 100) + 1;
            h.At(t).Send($"s{i % 4}", $"m{i}", "u1", ++seq);
            h.At(t + 50).Deliver("u1", "d1", $"m{i}", seq);
            delivered.Add(($"m{i}", seq));
            if (i == 80)
            {
                h.At(t + 60).Send("s9", "lost-1", "u1", ++seq);
            }
        }

        h.Sync("u1", "d1", [.. delivered]);
        return h;
    }

    [Fact]
    public async Task WriteAsync_Html_BreaksLinesAtAStall_KeepsOverlappingFaultsOnTheirOwnLanes_AndDrawsEveryOperation()
    {
        var h = StalledWithOverlappingFaults();
        var result = StandardChecks.Check(h.Events);
        var input = new ReportInput(h.Events, result, new RunMetadata
        {
            Scenario = "overlap",
            Seed = 7,
            Properties = new Dictionary<string, string> { ["reproduce"] = "chaos run overlap --seed 7", ["rate"] = "10" },
        });

        var html = HtmlReport.Render(input);

        var latencyChart = Svg(html, "Delivery latency by delivery time");
        Regex.Count(latencyChart, "<polyline[^>]*stroke=\"#1a7f37\"").Should().Be(2, "the p50 line stops at the stall and starts again after it");
        var lanes = Svg(html, "fault lanes");
        Regex.Count(lanes, "class=\"fault lane\"").Should().Be(2);
        lanes.Should().Contain(">gateway-1<").And.Contain(">api-1<", "one lane per target, so the overlapping faults do not cover each other");
        lanes.Should().Contain("<title>kill</title>").And.Contain("<title>latency</title>");
        lanes.Should().Contain("<a href=\"#lost\">", "the lost message is marked in time, linked to its section");
        var scatter = Svg(html, "Operation latency (invoke to completion) by invoke time");
        scatter.Should().Contain("class=\"dots ok\"").And.Contain(">fail (1)<").And.Contain(">info (1)<").And.Contain(">ok (71)<");
        html.Should().Contain("Delivery latency distribution").And.Contain("class=\"bar\"");
        html.Should().Contain("<pre><code>chaos run overlap --seed 7</code></pre>");
        html.Should().Contain("<td>rate</td><td class=\"mono\">10</td>");
        html.Should().NotContainAny("NaN", "Infinity");
    }

    private static string Svg(string html, string label)
    {
        var start = html.IndexOf($"aria-label=\"{label}\"", StringComparison.Ordinal);
        start.Should().BePositive($"the report has the chart '{label}'");
        return html[start..html.IndexOf("</svg>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task WriteAsync_Summary_ListsPromisesLatencyAndFaults()
    {
        await WriteAsync(Broken(), new CheckOptions { LatencySlos = [LatencyThreshold.Parse("p99=1s")] });

        var md = await File.ReadAllTextAsync(Path.Combine(_dir, "summary.md"), TestContext.Current.CancellationToken);
        md.Should().StartWith("# Chaos run: broker-kill — INVALID");
        md.Should().Contain("| No loss | BROKEN | lost: 1 |");
        md.Should().Contain("| Per-user ordering | held |");
        md.Should().Contain("| steady |").And.Contain("| fault |");
        md.Should().Contain("| kill | target-1 |");
        md.Should().Contain("recovered (informational");
    }

    [Fact]
    public void Evaluate_UnknownDeliveryChecker_MakesLossUndecidedButOrderingHeld()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);

        var outcomes = Promises.Evaluate(StandardChecks.Check(h.Events));

        outcomes.Single(o => o.Promise.Name == PromiseNames.NoLoss).Status.Should().Be(PromiseStatus.Undecided,
            "undecided outranks not exercised: the device never synced, and the delivery checker says so");
        outcomes.Single(o => o.Promise.Name == PromiseNames.PerUserOrdering).Status.Should().Be(PromiseStatus.Held);
    }

    [Fact]
    public void Evaluate_EveryStatus_InPrecedenceBrokenUndecidedNotExercisedHeld()
    {
        // lost on d1 (broken); d2 never synced (delivery undecided); no job (not exercised); one device saw two messages (held)
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1), ("m2", 2));
        h.Device("u1", "d2");
        h.Deliver("u1", "d2", "m1", 1);
        h.Deliver("u1", "d2", "m2", 2);

        var outcomes = Promises.Evaluate(StandardChecks.Check(h.Events)).ToDictionary(o => o.Promise.Name);

        outcomes[PromiseNames.NoLoss].Status.Should().Be(PromiseStatus.Broken);
        outcomes[PromiseNames.NoDuplicates].Status.Should().Be(PromiseStatus.Undecided);
        outcomes[PromiseNames.PerUserOrdering].Status.Should().Be(PromiseStatus.Held);
        outcomes[PromiseNames.JobsExactlyOnce].Status.Should().Be(PromiseStatus.NotExercised);
        outcomes[PromiseNames.JobsExactlyOnce].NotExercisedBecause.Should().Be("no job was acknowledged");
        outcomes[PromiseNames.JobsExactlyOnce].Required.Should().BeFalse();
        outcomes.Keys.Should().Equal(PromiseNames.All, "the exercise checker is no 'other checks' row");
    }

    /// <summary>u1/d1 gets m1 and m2, in order, and syncs: the delivery promises exercised and held, no job, no SLO.</summary>
    private static TestHistory DeliveryOnly()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);
        h.Sync("u1", "d1", ("m1", 1), ("m2", 2));
        return h;
    }

    [Fact]
    public async Task WriteAsync_PromiseNotExercised_IsSkippedInJunitAndShownWithWhyEverywhere()
    {
        await WriteAsync(DeliveryOnly());

        var suite = XDocument.Load(Path.Combine(_dir, "junit.xml")).Descendants("testsuite").Single();
        suite.Attribute("skipped")!.Value.Should().Be("3");
        suite.Attribute("errors")!.Value.Should().Be("0");
        suite.Attribute("failures")!.Value.Should().Be("0");
        var skipped = suite.Elements("testcase").Where(c => c.Element("skipped") is not null)
            .ToDictionary(c => c.Attribute("name")!.Value, c => c.Element("skipped")!.Attribute("message")!.Value);
        skipped.Should().Equal(new Dictionary<string, string>
        {
            ["Jobs applied exactly once"] = "not exercised: no job was acknowledged",
            ["Retries within the backoff envelope"] = "not exercised: no job attempt was recorded",
            ["Delivery latency within SLO"] = "not exercised: no latency SLO was set",
        });

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "results.json"), TestContext.Current.CancellationToken));
        doc.RootElement.GetProperty("valid").GetBoolean().Should().BeTrue("a promise nobody required does not change the verdict");
        var jobs = doc.RootElement.GetProperty("promises").EnumerateArray().Single(p => p.GetProperty("name").GetString() == PromiseNames.JobsExactlyOnce);
        jobs.GetProperty("status").GetString().Should().Be("not-exercised");
        jobs.GetProperty("required").GetBoolean().Should().BeFalse();
        jobs.GetProperty("exercised").GetBoolean().Should().BeFalse();
        jobs.GetProperty("exercise").GetString().Should().Be("no job was acknowledged");
        var noLoss = doc.RootElement.GetProperty("promises").EnumerateArray().Single(p => p.GetProperty("name").GetString() == PromiseNames.NoLoss);
        noLoss.GetProperty("status").GetString().Should().Be("held");
        noLoss.GetProperty("required").GetBoolean().Should().BeTrue();
        noLoss.GetProperty("exercise").GetString().Should().Be("2 acknowledged send(s) to users with a device that finished its final sync");

        var md = await File.ReadAllTextAsync(Path.Combine(_dir, "summary.md"), TestContext.Current.CancellationToken);
        md.Should().StartWith("# Chaos run: broker-kill — VALID");
        md.Should().Contain("| Jobs applied exactly once | not exercised | no job was acknowledged |");
        md.Should().Contain("| No loss | held | — |");

        var html = await File.ReadAllTextAsync(Path.Combine(_dir, "report.html"), TestContext.Current.CancellationToken);
        html.Should().Contain("<td class=\"not-exercised\">not exercised</td><td>no job was acknowledged</td>");
    }

    [Fact]
    public async Task WriteAsync_RequiredPromiseNotExercised_IsAnErrorInJunitAndTheVerdictUnknown()
    {
        await WriteAsync(DeliveryOnly(), new CheckOptions { RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce] });

        var suite = XDocument.Load(Path.Combine(_dir, "junit.xml")).Descendants("testsuite").Single();
        suite.Attribute("skipped")!.Value.Should().Be("2");
        suite.Attribute("errors")!.Value.Should().Be("1");
        var error = suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == "Jobs applied exactly once").Element("error")!;
        error.Attribute("type")!.Value.Should().Be("not-exercised");
        error.Attribute("message")!.Value.Should().Be("required promise jobs-exactly-once was not exercised: no job was acknowledged");

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "results.json"), TestContext.Current.CancellationToken));
        doc.RootElement.GetProperty("valid").GetString().Should().Be("unknown");
        doc.RootElement.GetProperty("unknownReasons").EnumerateArray().Select(r => r.GetString())
            .Should().Equal("exercise: required promise jobs-exactly-once was not exercised: no job was acknowledged");
        var jobs = doc.RootElement.GetProperty("promises").EnumerateArray().Single(p => p.GetProperty("name").GetString() == PromiseNames.JobsExactlyOnce);
        jobs.GetProperty("status").GetString().Should().Be("not-exercised");
        jobs.GetProperty("required").GetBoolean().Should().BeTrue();

        var md = await File.ReadAllTextAsync(Path.Combine(_dir, "summary.md"), TestContext.Current.CancellationToken);
        md.Should().StartWith("# Chaos run: broker-kill — UNKNOWN");
        md.Should().Contain("| Jobs applied exactly once | not exercised | required, so the verdict is unknown: no job was acknowledged |");
        md.Should().Contain("- exercise: required promise jobs-exactly-once was not exercised: no job was acknowledged");
    }
}
