using System.Text.Json;
using Chaos.Harness.Coverage;

namespace Chaos.Harness.Tests.Coverage;

/// <summary>
/// The run's failure-path report (docs/failure-paths.md): node files merged by path, each bad file refused whole and
/// named — they are written by the system under test, which the harness does not trust.
/// </summary>
public sealed class FailurePathReportTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("chaos-fp-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    [Fact]
    public void ReadNodes_SumsEachPathOverEveryNodeAndIncarnation_AndKeepsTheUnreachedOnes()
    {
        WriteNode("api-1.100", ("api.outbox.produce-failed", "api", 3), ("api.write.queue-full", "api", 0));
        WriteNode("api-1.200", ("api.outbox.produce-failed", "api", 2), ("api.write.queue-full", "api", 0)); // the restarted incarnation
        WriteNode("jobs-1.300", ("jobs.attempt.transient", "jobs", 7));

        var report = FailurePathReport.ReadNodes(_run);

        report.Files.Should().Be(3);
        report.Unreadable.Should().BeEmpty();
        report.Paths.Select(p => (p.Name, p.Hits)).Should().Equal(
            ("api.outbox.produce-failed", 5L), ("api.write.queue-full", 0L), ("jobs.attempt.transient", 7L));
        report.Declared.Should().Be(3);
        report.Reached.Should().Be(2);
        report.Summary().Should().Be("2 of 3 reached (failure-paths.json)");
    }

    [Theory]
    [InlineData("{\"format\":\"other/1\",\"paths\":[]}", "\"format\" is not")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"format\":\"chaos.failure-paths/1\",\"paths\":{}}", "\"paths\" is not an array")]
    [InlineData("{\"format\":\"chaos.failure-paths/1\",\"paths\":[{\"name\":\"Bad Name\",\"role\":\"api\",\"handles\":\"x\",\"hits\":1}]}", "paths[0].name")]
    [InlineData("{\"format\":\"chaos.failure-paths/1\",\"paths\":[{\"name\":\"a.b\",\"role\":\"api\",\"handles\":\"x\",\"hits\":-1}]}", "paths[0] (a.b): \"hits\"")]
    [InlineData("{\"format\":\"chaos.failure-paths/1\",\"paths\":[{\"name\":\"a.b\",\"role\":\"api\",\"hits\":1}]}", "\"role\" and \"handles\"")]
    [InlineData("{\"format\":\"chaos.failure-paths/1\",\"paths\":[{\"name\":\"a.b\",\"role\":\"api\",\"handles\":\"x\",\"hits\":1},{\"name\":\"a.b\",\"role\":\"api\",\"handles\":\"x\",\"hits\":1}]}", "listed twice")]
    [InlineData("{\"format\":", "not JSON")]
    public void ReadNodes_ABadFile_IsRefusedWholeAndNamed_TheOthersStillCount(string content, string problem)
    {
        WriteNode("api-1.100", ("api.outbox.produce-failed", "api", 3));
        File.WriteAllText(Path.Combine(_run, FailurePathReport.DirectoryName, "gateway-1.9.json"), content);

        var report = FailurePathReport.ReadNodes(_run);

        report.Files.Should().Be(1);
        report.Unreadable.Should().ContainSingle().Which.Should().StartWith("gateway-1.9.json: ").And.Contain(problem);
        report.Paths.Should().ContainSingle().Which.Hits.Should().Be(3);
        report.Summary().Should().Contain("1 node file(s) unreadable: gateway-1.9.json");
    }

    [Fact]
    public void ReadNodes_AFileLargerThanTheLimit_IsNotRead()
    {
        Directory.CreateDirectory(Path.Combine(_run, FailurePathReport.DirectoryName));
        File.WriteAllBytes(Path.Combine(_run, FailurePathReport.DirectoryName, "api-1.1.json"), new byte[FailurePathReport.MaxFileBytes + 1]);

        var report = FailurePathReport.ReadNodes(_run);

        report.Unreadable.Should().ContainSingle().Which.Should().Contain("more than the");
        report.Paths.Should().BeEmpty();
    }

    [Fact]
    public void ReadNodes_NoNodeWrote_SaysSoInsteadOfReportingZeroOfZero()
    {
        var report = FailurePathReport.ReadNodes(_run);

        report.Files.Should().Be(0);
        report.Summary().Should().Be("no node wrote its failure paths");
    }

    [Fact]
    public async Task SaveThenLoad_RoundTripsThePathsAndTheProblems()
    {
        WriteNode("api-1.100", ("api.outbox.produce-failed", "api", 3), ("api.write.queue-full", "api", 0));
        File.WriteAllText(Path.Combine(_run, FailurePathReport.DirectoryName, "x.json"), "nope");
        var report = FailurePathReport.ReadNodes(_run);

        await report.SaveAsync(_run, TestContext.Current.CancellationToken);
        var loaded = FailurePathReport.Load(Path.Combine(_run, FailurePathReport.FileName));

        loaded.Paths.Should().Equal(report.Paths);
        loaded.Files.Should().Be(1);
        loaded.Unreadable.Should().Equal(report.Unreadable);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_run, FailurePathReport.FileName)));
        json.RootElement.GetProperty("reached").GetInt32().Should().Be(1);
        json.RootElement.GetProperty("declared").GetInt32().Should().Be(2);
    }

    [Fact]
    public void Load_ANodeFileInsteadOfARunReport_IsRefusedNamingTheFile()
    {
        WriteNode("api-1.100", ("api.outbox.produce-failed", "api", 3));
        var file = Path.Combine(_run, FailurePathReport.DirectoryName, "api-1.100.json");

        var load = () => FailurePathReport.Load(file);

        load.Should().Throw<InvalidDataException>().WithMessage($"{file}: \"format\" is not \"{FailurePathReport.RunFormat}\"");
    }

    private void WriteNode(string name, params (string Path, string Role, long Hits)[] paths)
    {
        var directory = Path.Combine(_run, FailurePathReport.DirectoryName);
        Directory.CreateDirectory(directory);
        var json = JsonSerializer.Serialize(new
        {
            format = FailurePathReport.NodeFormat,
            instance = name,
            role = paths[0].Role,
            pid = 1,
            paths = paths.Select(p => new { name = p.Path, role = p.Role, handles = "what " + p.Path + " handles", hits = p.Hits }),
        });
        File.WriteAllText(Path.Combine(directory, name + ".json"), json);
    }
}
