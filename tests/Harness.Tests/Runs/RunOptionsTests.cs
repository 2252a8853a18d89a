using Chaos.Harness.Runs;

namespace Chaos.Harness.Tests.Runs;

public sealed class RunOptionsTests
{
    [Fact]
    public void Validate_NoSystemAdapter_ThrowsNamingIt()
    {
        var options = new RunOptions { OutputDirectory = "/tmp/r1" };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == nameof(RunOptions.System) && e.Message.Contains("ISystemAdapter", StringComparison.Ordinal));
    }
}
