using System.Text.Json;
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
        var input = new ReportInput(h.Events, result, new RunMetadata { Scenario = "broker-kill", Seed = 42 });
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
        suite.Attribute("name")!.Value.Should().Be("chaos.broker-kill");
        suite.Attribute("failures")!.Value.Should().Be("1");
        var failed = suite.Elements("testcase").Where(c => c.Element("failure") is not null).Select(c => c.Attribute("name")!.Value);
        failed.Should().Equal("No loss");
        suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == "No loss").Element("failure")!.Value
            .Should().Contain("m2 acknowledged, never delivered to u1/d1");
    }

    [Fact]
    public async Task WriteAsync_Html_ShadesFaultWindowsAndShowsEachExampleAsATimeline()
    {
        await WriteAsync(Broken());

        var html = await File.ReadAllTextAsync(Path.Combine(_dir, "report.html"), TestContext.Current.CancellationToken);
        html.Should().Contain("class=\"fault\"", "the fault window is shaded");
        html.Should().Contain("Delivery latency by delivery time").And.Contain("Throughput");
        html.Should().Contain("<h3 id=\"lost\">lost: 1").And.Contain("aria-label=\"event timeline\"");
        html.Should().Contain("&quot;id&quot;:&quot;m2&quot;", "the example's events are listed with their values");
        html.Should().NotContainAny("<script", "http://", "https://", "<link");
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
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);

        var outcomes = Promises.Evaluate(StandardChecks.Check(h.Events));

        outcomes.Single(o => o.Promise.Name == "no-loss").Status.Should().Be(PromiseStatus.Undecided);
        outcomes.Single(o => o.Promise.Name == "per-user-ordering").Status.Should().Be(PromiseStatus.Held);
    }
}
