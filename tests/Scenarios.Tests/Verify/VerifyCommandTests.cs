using System.Text.Json;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Verify;

/// <summary>`chaos verify` end to end on one cell of the matrix, and its input errors.</summary>
[Collection(MeasuredRunCollection.Name)]
public sealed class VerifyCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-verify-tests", Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Retry_without_backoff_is_caught_by_job_retry_storm_as_a_retry_storm_at_the_load_asked_for()
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken,
            "verify", "--defect", "retry-without-backoff", "--duration", "8s", "--rate", "100", "--users", "120", "--out", _root);

        run.ExitCode.Should().Be(0, $"the defect must be caught; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_root, "verify.json"), TestContext.Current.CancellationToken));
        json.RootElement.GetProperty("passed").GetBoolean().Should().BeTrue();
        var cell = json.RootElement.GetProperty("runs").EnumerateArray().Should().ContainSingle().Subject;
        cell.GetProperty("scenario").GetString().Should().Be("job-retry-storm");
        cell.GetProperty("outcome").GetString().Should().Be("caught");
        cell.GetProperty("anomalies").EnumerateArray().Select(a => a.GetString()).Should().Contain("retry-storm");
        File.Exists(Path.Combine(_root, "verify.md")).Should().BeTrue();
        File.Exists(Path.Combine(_root, "verify.html")).Should().BeTrue();

        // the load reached the run itself, not only the report
        var load = json.RootElement.GetProperty("load");
        load.GetProperty("rate").GetDouble().Should().Be(100);
        load.GetProperty("users").GetInt32().Should().Be(120);
        (await File.ReadAllTextAsync(Path.Combine(_root, "verify.md"), TestContext.Current.CancellationToken)).Should().Contain("100 sends/s").And.Contain("120 users × 2 devices");
        var summary = await File.ReadAllTextAsync(Path.Combine(cell.GetProperty("directory").GetString()!, "summary.md"), TestContext.Current.CancellationToken);
        summary.Should().Contain("--rate 100 ").And.Contain("--users 120 ");
    }

    [Fact]
    public async Task A_load_out_of_range_exits_2_naming_the_field_before_running_anything()
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "verify", "--rate", "0", "--out", _root);

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain("rate must be within");
        Directory.Exists(_root).Should().BeFalse("nothing ran");
    }

    [Theory]
    [InlineData("--seeds", "0")]
    [InlineData("--retries", "6")]
    [InlineData("--retries", "-1")]
    [InlineData("--defect", "no-such-defect")]
    [InlineData("--duration", "later")]
    [InlineData("--scenario", "no-such-scenario")]
    [InlineData("--topology", "kubernetes")]
    [InlineData("--rate", "fast")]
    [InlineData("--users", "many")]
    public async Task Bad_input_exits_2_naming_it(string option, string value)
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "verify", option, value, "--out", _root);

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain(option is "--defect" or "--scenario" or "--topology" ? value : option);
        Directory.Exists(_root).Should().BeFalse("nothing ran");
    }

    [Fact]
    public async Task A_defect_and_a_scenario_with_no_cell_in_common_is_an_error_not_an_empty_pass()
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken,
            "verify", "--defect", "no-dlq", "--scenario", "websocket-cut", "--out", _root);

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain("no cell of the matrix");
        Directory.Exists(_root).Should().BeFalse("nothing ran");
    }

    [Fact]
    public async Task Containers_topology_with_no_engine_exits_2_saying_what_is_missing_before_running_anything()
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken,
            [("DOCKER_HOST", "unix:///nonexistent/docker.sock")],
            "verify", "--topology", "containers", "--scenario", "steady-state", "--out", _root);

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain("no Docker engine answers at unix:///nonexistent/docker.sock");
        Directory.Exists(_root).Should().BeFalse("nothing ran");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
