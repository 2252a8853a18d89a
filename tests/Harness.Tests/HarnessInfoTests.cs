namespace Chaos.Harness.Tests;

public sealed class HarnessInfoTests
{
    [Fact]
    public void HistoryFormatVersion_IsOne()
    {
        HarnessInfo.HistoryFormatVersion.Should().Be(1);
    }
}
