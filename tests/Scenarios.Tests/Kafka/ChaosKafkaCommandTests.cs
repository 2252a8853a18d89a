using System.Net.Sockets;

namespace Chaos.Scenarios.Tests.Kafka;

[Collection(KafkaCollection.Name)]
public sealed class ChaosKafkaCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("--brokers", "--brokers", "0")]
    [InlineData("--brokers", "--brokers", "-2")]
    [InlineData("--brokers", "--brokers", "many")]
    [InlineData("--topic", "--topic", "bad/name")]
    [InlineData("--topic", "--topic", "..")]
    [InlineData("--topic", "--topic", "t:0")]
    [InlineData("--topic", "--topic", "t:-1")]
    [InlineData("--topic", "--brokers", "2", "--topic", "t:1:3")]
    [InlineData("--control-port", "--control-port", "70000")]
    [InlineData("--retention", "--retention", "10x")]
    [InlineData("--retention", "--retention", "0s")]
    [InlineData("--retention-group", "--retention", "5s", "--retention-group", "jobs")]
    [InlineData("--retention-group", "--retention", "5s", "--retention-group", "jobs=g")]
    [InlineData("--retention-group", "--topic", "jobs", "--retention-group", "jobs=g")]
    public async Task Bad_input_exits_2_with_a_message_naming_the_option(string named, params string[] arguments)
    {
        await using var chaos = ChildProcess.Start("dotnet", [TestPaths.ChaosDll, "kafka", .. arguments]);

        (await chaos.WaitForExitAsync(Timeout)).Should().BeTrue();

        chaos.ExitCode.Should().Be(2);
        chaos.StandardError.Should().StartWith("chaos kafka: ").And.Contain(named);
        chaos.Lines.Should().NotContain(l => l.StartsWith("bootstrap:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prints_control_then_bootstrap_and_writes_the_bootstrap_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"chaos-kafka-{Guid.NewGuid():N}.txt");
        await using var chaos = ChildProcess.Start("dotnet", [TestPaths.ChaosDll, "kafka", "--brokers", "2", "--bootstrap-file", file]);
        try
        {
            var bootstrap = await chaos.WaitForLineAsync(l => l.StartsWith("bootstrap: ", StringComparison.Ordinal), Timeout, "bootstrap");

            chaos.Lines.Should().HaveCount(2);
            chaos.Lines[0].Should().MatchRegex(@"^control: 127\.0\.0\.1:\d+$");
            bootstrap.Should().MatchRegex(@"^bootstrap: 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$");
            (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).Trim().Should().Be(bootstrap["bootstrap: ".Length..]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Exits_0_on_SIGTERM_and_stops_serving()
    {
        await using var chaos = ChildProcess.Start("dotnet", [TestPaths.ChaosDll, "kafka", "--brokers", "1"]);
        var bootstrap = (await chaos.WaitForLineAsync(l => l.StartsWith("bootstrap: ", StringComparison.Ordinal), Timeout, "bootstrap"))["bootstrap: ".Length..];
        var port = int.Parse(bootstrap.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        Signals.Send(chaos.Id, Signals.SigTerm);

        (await chaos.WaitForExitAsync(Timeout)).Should().BeTrue();
        chaos.ExitCode.Should().Be(0);
        chaos.StandardError.Should().Contain("Stopping the mock Kafka cluster: signal");
        using var probe = new TcpClient();
        var connect = async () => await probe.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        await connect.Should().ThrowAsync<SocketException>();
    }

    [Fact]
    public async Task Exits_when_its_parent_is_SIGKILLed_leaving_no_process()
    {
        await using var parent = ChildProcess.Probe("kafka-spawn-host", "dotnet", TestPaths.ChaosDll, "kafka", "--brokers", "1");
        var child = int.Parse((await parent.WaitForLineAsync(l => l.StartsWith("child ", StringComparison.Ordinal), Timeout, "child pid"))["child ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        await parent.WaitForLineAsync(l => l.StartsWith("bootstrap: ", StringComparison.Ordinal), Timeout, "bootstrap");
        Signals.IsAlive(child).Should().BeTrue();

        Signals.Send(parent.Id, Signals.SigKill);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Signals.IsAlive(child) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Signals.IsAlive(child).Should().BeFalse("the host watches CHAOS_PARENT_PID and exits within about a second");
    }
}
