using System.Text;
using Chaos.Harness.Checkers;
using Chaos.Harness.Reports;
using Chaos.Harness.Tests.Checkers;
using Chaos.Testing;

namespace Chaos.Harness.Tests.Testing;

/// <summary>A run's folder attached to the xUnit test's result: its path and its report files, never anything else.</summary>
public sealed class ChaosAttachmentsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("chaos-attach-").FullName;

    [Fact]
    public async Task A_run_folders_reports_are_attached_by_name_and_nothing_else_is_read()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Send("s1", "m1", "u1", 1);
        h.Sync("u1", "d1");
        var run = Path.Combine(_root, "steady-state-1");
        await RunReport.WriteAsync(new ReportInput(h.Events, StandardChecks.Check(h.Events), new RunMetadata { Scenario = "steady-state", Seed = 1 }), run, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(run, "history.jsonl"), "not attached", TestContext.Current.CancellationToken);

        var names = ChaosAttachments.AttachRunFolder(run);

        names.Should().Equal("chaos/steady-state-1/folder", "chaos/steady-state-1/results.json", "chaos/steady-state-1/summary.md",
            "chaos/steady-state-1/junit.xml", "chaos/steady-state-1/report.html");
        var attached = TestContext.Current.Attachments!;
        attached["chaos/steady-state-1/folder"].AsString().Should().Be(run);
        attached["chaos/steady-state-1/summary.md"].AsString().Should().Be(await File.ReadAllTextAsync(Path.Combine(run, "summary.md"), TestContext.Current.CancellationToken))
            .And.Contain("lost", "the summary carries the evidence of the broken promise");
        var (html, mediaType) = attached["chaos/steady-state-1/report.html"].AsByteArray();
        mediaType.Should().Be("text/html");
        Encoding.UTF8.GetString(html).Should().StartWith("<!DOCTYPE html>");
        attached.Keys.Should().NotContain(k => k.Contains("history", StringComparison.Ordinal), "only the report files are read");
    }

    [Fact]
    public void A_link_and_an_oversized_file_are_named_not_read_and_a_missing_folder_is_refused()
    {
        var run = Directory.CreateDirectory(Path.Combine(_root, "r")).FullName;
        var secret = Path.Combine(_root, "secret.txt");
        File.WriteAllText(secret, "not a run's file");
        File.CreateSymbolicLink(Path.Combine(run, "summary.md"), secret);
        using (var big = File.Create(Path.Combine(run, "results.json")))
        {
            big.SetLength(ChaosAttachments.MaxBytes + 1);
        }

        ChaosAttachments.AttachRunFolder(run);

        var attached = TestContext.Current.Attachments!;
        attached["chaos/r/summary.md"].AsString().Should().Contain("is a link").And.NotContain("not a run's file");
        attached["chaos/r/results.json"].AsString().Should().Contain("over the 4194304 attached whole");
        var missing = () => ChaosAttachments.AttachRunFolder(Path.Combine(_root, "absent"));
        missing.Should().Throw<DirectoryNotFoundException>().WithMessage("*absent*does not exist");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
