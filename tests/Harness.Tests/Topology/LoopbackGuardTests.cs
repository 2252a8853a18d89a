using Chaos.Harness.Topology;

namespace Chaos.Harness.Tests.Topology;

public sealed class LoopbackGuardTests
{
    [Theory]
    [InlineData("127.0.0.1:9092")]
    [InlineData("127.4.5.6")]
    [InlineData("http://localhost:5000/healthz")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("[::1]:8080")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("::1")]
    [InlineData("127.0.0.1:9092,127.0.0.1:9093")]
    public void EnsureAllowed_LoopbackTarget_Passes(string target)
    {
        var act = () => LoopbackGuard.EnsureAllowed(target, allowRemote: false, "test");

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("10.0.0.1:9092")]
    [InlineData("http://example.com/")]
    [InlineData("0.0.0.0:80")]
    [InlineData("http://172.17.0.2:5000")]
    [InlineData("127.0.0.1:9092,192.168.1.20:9092")]
    [InlineData("[2001:db8::1]:80")]
    [InlineData("localhost.example.com:80")]
    public void EnsureAllowed_RemoteTarget_IsRefusedWithAClearError(string target)
    {
        var act = () => LoopbackGuard.EnsureAllowed(target, allowRemote: false, "endpoint 'x' of node 'api-1'");

        act.Should().Throw<NonLoopbackTargetException>().WithMessage("*non-loopback*node 'api-1'*--allow-remote*");
    }

    [Fact]
    public void EnsureAllowed_RemoteTargetWithAllowRemote_Passes()
    {
        var act = () => LoopbackGuard.EnsureAllowed("10.0.0.1:9092", allowRemote: true, "test");

        act.Should().NotThrow();
    }
}
