using Chaos.Harness.Runs;

namespace Chaos.Harness.Tests.Runs;

public sealed class RunOptionsTests
{
    [Fact]
    public void Validate_NoDeviceClientFactory_ThrowsNamingIt()
    {
        var options = new RunOptions { OutputDirectory = "/tmp/r1" };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == nameof(RunOptions.Devices) && e.Message.Contains("IDeviceClientFactory", StringComparison.Ordinal));
    }
}
