using Chaos.Harness.Runs;
using Chaos.Harness.Topology.Processes;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.Topology;

public sealed class CpuPressureTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"chaos-psi-{Guid.NewGuid():N}");

    [Fact]
    public void The_share_is_the_some_stall_time_over_the_wall_time_of_the_window()
    {
        var time = new FakeTimeProvider();
        Write(1_000);
        var window = CpuPressure.Start(time, _file);
        window.Should().NotBeNull();

        time.Advance(TimeSpan.FromSeconds(2));
        Write(1_000 + 500_000);

        // 0.5 s of stall in 2 s of wall time
        window!.Share().Should().BeApproximately(0.25, 1e-9);
    }

    [Theory]
    [InlineData("full avg10=0.00 avg60=0.00 avg300=0.00 total=7\n")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=-5\n")]
    [InlineData("some avg10=0.00 total=12x\n")]
    [InlineData("")]
    public void A_file_without_a_readable_some_total_gives_no_window(string text)
    {
        File.WriteAllText(_file, text);

        CpuPressure.Start(new FakeTimeProvider(), _file).Should().BeNull();
    }

    [Fact]
    public void No_file_gives_no_window() =>
        CpuPressure.Start(new FakeTimeProvider(), Path.Combine(_file, "absent")).Should().BeNull();

    [Fact]
    public void The_kernel_file_reads_as_a_share_between_0_and_1()
    {
        if (!File.Exists(CpuPressure.DefaultPath))
        {
            Assert.Skip($"{CpuPressure.DefaultPath} is absent: this kernel does not publish pressure stall information");
        }

        var window = CpuPressure.Start();
        window.Should().NotBeNull();
        Thread.Sleep(50);
        window!.Share().Should().BeInRange(0, 1);
    }

    [Fact]
    public void The_run_report_names_the_lag_and_the_pressure_or_says_it_was_not_published()
    {
        RunPipeline.DescribeMachine(TimeSpan.FromMilliseconds(2.14), 0.413)
            .Should().Be("send schedule lag p99 2.1 ms; some task waited for a CPU 41 % of the load's time (/proc/pressure/cpu)");
        RunPipeline.DescribeMachine(TimeSpan.FromMilliseconds(120), null)
            .Should().Be("send schedule lag p99 120 ms; CPU pressure not published here (/proc/pressure/cpu)");
    }

    public void Dispose() => File.Delete(_file);

    private void Write(long total) =>
        File.WriteAllText(_file, $"some avg10=1.00 avg60=2.00 avg300=3.00 total={total}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
}
