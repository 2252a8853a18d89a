using System.Text.Json;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Commands;

/// <summary><c>--json</c> on run and verify when the command cannot be carried out: still one document, exit 2, the error in it.</summary>
public sealed class JsonOutputTests
{
    [Theory]
    [InlineData("run", new[] { "run", "no-such-scenario", "--json" }, "unknown scenario 'no-such-scenario'")]
    [InlineData("run", new[] { "run", "steady-state", "--defect", "no-such-defect", "--json" }, "--defect 'no-such-defect'")]
    [InlineData("verify", new[] { "verify", "--defect", "no-such-defect", "--json" }, "no-such-defect")]
    public async Task UsageError_WithJson_IsOneDocumentWithTheErrorAndExitTwo(string command, string[] args, string error)
    {
        var ct = TestContext.Current.CancellationToken;

        var outcome = await ChaosCli.RunAsync(TimeSpan.FromSeconds(60), ct, args);

        outcome.ExitCode.Should().Be(2, outcome.Stderr);
        using var document = JsonDocument.Parse(outcome.Stdout);
        var root = document.RootElement;
        root.GetProperty("command").GetString().Should().Be(command);
        root.GetProperty("exitCode").GetInt32().Should().Be(2);
        root.GetProperty("results").GetArrayLength().Should().Be(0);
        root.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).Should().ContainSingle().Which.Should().Contain(error);
        outcome.Stderr.Should().Contain(error, "the person at the terminal sees it too");
    }
}
