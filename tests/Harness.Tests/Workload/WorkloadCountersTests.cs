using Chaos.Harness.Workload;

namespace Chaos.Harness.Tests.Workload;

public sealed class WorkloadCountersTests
{
    [Fact]
    public void The_highest_delivered_send_counts_only_open_model_sends_and_never_goes_down()
    {
        var counters = new WorkloadCounters();
        counters.HighestDeliveredSend.Should().Be(0);

        foreach (var id in new[] { "m5", "m3", "fanout9", "m", "mx", "m-7", "m 8", "M6", "" })
        {
            counters.RecordDelivered(id);
        }

        counters.HighestDeliveredSend.Should().Be(5, "fan-out messages and ids that are not m<n> are not open-model sends; m3 came late");
        counters.Delivered.Should().Be(9, "every delivery a device recorded counts");
    }

    [Fact]
    public void The_highest_acknowledged_send_never_goes_down()
    {
        var counters = new WorkloadCounters();
        counters.RecordAcknowledged(7);
        counters.RecordAcknowledged(4);
        counters.HighestAcknowledgedSend.Should().Be(7);
        counters.HighestDeliveredSend.Should().Be(0, "acknowledged is not delivered");
    }

    [Fact]
    public async Task Concurrent_deliveries_keep_the_highest()
    {
        var counters = new WorkloadCounters();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var n = 1 + t; n <= 40_000; n += 4)
            {
                counters.RecordDelivered($"m{n}");
            }
        }, TestContext.Current.CancellationToken)));

        counters.HighestDeliveredSend.Should().Be(40_000);
        counters.Delivered.Should().Be(40_000);
    }
}
