using System.Xml.Linq;
using Chaos.Harness.Checkers;
using Chaos.Harness.Reports;
using Chaos.Harness.Runs;
using Chaos.Harness.Tests.Checkers;

namespace Chaos.Harness.Tests.Reports;

public sealed class SuiteReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-suite-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteAsync_GathersEveryRunsSuite_AndARunWithoutJunitIsAnError()
    {
        var held = await RunFolderAsync("steady-state", 1, lose: false, TimeSpan.FromSeconds(20));
        var broken = await RunFolderAsync("steady-state", 2, lose: true, TimeSpan.FromSeconds(30.5));
        var missing = Path.Combine(_dir, "service-crash-seed1");
        Directory.CreateDirectory(missing);
        (string, long, RunOutcome)[] runs =
        [
            ("steady-state", 1, new RunOutcome(Verdict.Valid, held, null, "every promise held") { Reproduce = "chaos run steady-state --seed 1" }),
            ("steady-state", 2, new RunOutcome(Verdict.Invalid, broken, null, "a promise was broken: lost ×1")),
            ("service-crash", 1, new RunOutcome(Verdict.Unknown, missing, null, "the system did not start | at all")),
        ];

        await SuiteReport.WriteAsync("smoke", runs, _dir, Ct);

        var root = XDocument.Load(Path.Combine(_dir, "junit.xml")).Root!;
        root.Name.LocalName.Should().Be("testsuites");
        root.Elements("testsuite").Select(s => s.Attribute("name")!.Value).Should()
            .Equal("chaos.steady-state.seed1", "chaos.steady-state.seed2", "chaos.service-crash.seed1");
        int Sum(string attribute) => root.Elements("testsuite").Sum(s => int.Parse(s.Attribute(attribute)!.Value, System.Globalization.CultureInfo.InvariantCulture));
        root.Attribute("failures")!.Value.Should().Be("1", "the lost message of seed 2");
        root.Attribute("errors")!.Value.Should().Be(Sum("errors").ToString(System.Globalization.CultureInfo.InvariantCulture));
        root.Elements("testsuite").Last().Attribute("errors")!.Value.Should().Be("1", "the run that wrote no junit.xml");
        root.Attribute("time")!.Value.Should().Be("50.500");
        root.Attribute("tests")!.Value.Should().Be(root.Descendants("testcase").Count().ToString(System.Globalization.CultureInfo.InvariantCulture));
        root.Elements("testsuite").Last().Descendants("error").Single().Attribute("message")!.Value.Should().Be("the system did not start | at all");

        var summary = await File.ReadAllTextAsync(Path.Combine(_dir, "summary.md"), Ct);
        summary.Should().StartWith("# Suite smoke: 3 runs — 1 valid, 1 invalid, 1 unknown");
        summary.Should().Contain("Exit code 2");
        summary.Should().Contain("| steady-state | 1 | valid | every promise held | [steady-state-seed1/summary.md](steady-state-seed1/summary.md) | `chaos run steady-state --seed 1` |");
        summary.Should().Contain("the system did not start \\| at all", "a | in a message would break the table");
    }

    private async Task<string> RunFolderAsync(string scenario, long seed, bool lose, TimeSpan elapsed)
    {
        var folder = Path.Combine(_dir, $"{scenario}-seed{seed}");
        Directory.CreateDirectory(folder);
        var h = new TestHistory().Device("u1", "d1");
        h.Send("s1", "m1", "u1", 1);
        if (lose)
        {
            h.Sync("u1", "d1");
        }
        else
        {
            h.Deliver("u1", "d1", "m1", 1);
            h.Sync("u1", "d1", ("m1", 1));
        }
        var input = new ReportInput(h.Events, StandardChecks.Check(h.Events), new RunMetadata { Scenario = scenario, Seed = seed, Elapsed = elapsed });
        await using (var file = File.Create(Path.Combine(folder, "junit.xml")))
        {
            JUnitReport.Write(input, file);
        }

        return folder;
    }
}
