using System.Diagnostics;
using Chaos.Harness.Topology;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Topology;

/// <summary>Changes process environment variables: the tests of this class run one at a time, and nothing else reads them.</summary>
public sealed class ToolLocatorTests
{
    [Fact(Timeout = 60_000)]
    public async Task ReferenceSystem_NextToTheChaosTool_IsFoundInSutAndRuns()
    {
        File.Exists(ChaosDll).Should().BeTrue("the test project builds the chaos tool first");
        Environment.SetEnvironmentVariable(ToolLocator.ToolDllVariable, ChaosDll);
        Environment.SetEnvironmentVariable(ToolLocator.SutDllVariable, null);
        try
        {
            var chaos = ToolLocator.ChaosTool();
            chaos.Arguments.Should().Equal(ChaosDll);

            var sut = ToolLocator.ReferenceSystem();

            sut.Arguments.Should().Equal(Path.Combine(Path.GetDirectoryName(ChaosDll)!, "sut", "Reference.System.dll"));
            // Started with no role, the real program answers with its own usage error: proof that it loaded its
            // deps and runtimeconfig from sut/ (a missing dependency fails earlier, with another message).
            using var process = Process.Start(new ProcessStartInfo(sut.FileName) { ArgumentList = { sut.Arguments[0] }, UseShellExecute = false, RedirectStandardError = true })!;
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            process.ExitCode.Should().Be(2, "the copied Reference.System starts with its own deps and runtimeconfig");
            (await stderr).Should().Contain("--role must be one of");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ToolLocator.ToolDllVariable, null);
        }
    }

    [Fact]
    public void ReferenceSystem_EnvironmentPointsNowhere_ThrowsNamingWhereItLooked()
    {
        Environment.SetEnvironmentVariable(ToolLocator.SutDllVariable, "/nope/Reference.System.dll");
        try
        {
            var act = () => ToolLocator.ReferenceSystem();

            act.Should().Throw<ToolNotFoundException>().WithMessage("*Reference.System.dll*CHAOS_SUT_DLL=/nope/Reference.System.dll*");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ToolLocator.SutDllVariable, null);
        }
    }
}
