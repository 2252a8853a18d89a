using Chaos.Harness.Proxy.Toxics;

namespace Chaos.Harness.Tests.Faults.Network.Toxics;

/// <summary>Each toxic's arithmetic on a fake clock: exact, where the socket tests can only bound.</summary>
public sealed class ToxicBehaviorTests
{
    [Fact]
    public async Task Latency_ForwardsExactlyAfterTheLatency()
    {
        var link = new FakeToxicLink();
        var pending = LatencyToxic.Instance.OnChunkAsync(link.Context(LatencyToxic.Instance, 300, 0), link.ChunkOf(4), link.Next).AsTask();

        link.Clock.Advance(TimeSpan.FromMilliseconds(299));
        var early = pending.IsCompleted;
        link.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await pending.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        early.Should().BeFalse();
        link.Forwarded.Should().ContainSingle();
    }

    [Fact]
    public async Task Latency_CountsFromWhenTheChunkWasRead()
    {
        var link = new FakeToxicLink();
        var pending = LatencyToxic.Instance.OnChunkAsync(
            link.Context(LatencyToxic.Instance, 300, 0), link.ChunkOf(4, age: TimeSpan.FromMilliseconds(200)), link.Next).AsTask();

        link.Clock.Advance(TimeSpan.FromMilliseconds(100));
        await pending.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        link.Forwarded.Should().ContainSingle("a chunk that queued 200 ms owes only 100 ms more");
    }

    [Fact]
    public async Task Latency_WhenRetired_ForwardsAtOnce()
    {
        var link = new FakeToxicLink();
        var context = link.Context(LatencyToxic.Instance, 10_000, 0);
        var pending = LatencyToxic.Instance.OnChunkAsync(context, link.ChunkOf(4), link.Next).AsTask();

        context.Definition.Retire();
        await pending.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        link.Forwarded.Should().ContainSingle();
    }

    [Fact]
    public async Task Bandwidth_SendsAHundredMillisecondsOfDataPerStep()
    {
        var link = new FakeToxicLink();
        var pending = BandwidthToxic.Instance.OnChunkAsync(link.Context(BandwidthToxic.Instance, 120), link.ChunkOf(36_000), link.Next).AsTask();
        var before = new List<int>();

        for (var step = 1; step <= 3; step++)
        {
            link.Clock.Advance(TimeSpan.FromMilliseconds(99));
            before.Add(link.ForwardedCount);
            link.Clock.Advance(TimeSpan.FromMilliseconds(1));
            await link.WaitForForwardedAsync(step);
        }

        await pending.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        before.Should().Equal(0, 1, 2);
        link.Forwarded.Should().OnlyContain(piece => piece.Length == 12_000, "120 KB/s is 12 000 bytes per 100 ms");
    }

    [Fact]
    public async Task Slicer_WithoutVariation_CutsEqualSlices()
    {
        var link = new FakeToxicLink();

        await SlicerToxic.Instance.OnChunkAsync(link.Context(SlicerToxic.Instance, 10, 0, 0), link.ChunkOf(95), link.Next);

        link.Forwarded.Select(s => s.Length).Should().Equal(10, 10, 10, 10, 10, 10, 10, 10, 10, 5);
        link.Forwarded.SelectMany(s => s).Should().Equal(link.ChunkOf(95).Data.ToArray());
    }

    [Fact]
    public async Task Slicer_WithVariation_KeepsSlicesWithinAverageAndVariation()
    {
        var link = new FakeToxicLink();

        await SlicerToxic.Instance.OnChunkAsync(link.Context(SlicerToxic.Instance, 100, 30, 0), link.ChunkOf(10_000), link.Next);

        link.Forwarded.SkipLast(1).Should().OnlyContain(s => s.Length >= 70 && s.Length <= 130);
        link.Forwarded.Sum(s => s.Length).Should().Be(10_000);
    }

    [Fact]
    public async Task LimitData_TruncatesAtTheLimitAndCloses()
    {
        var link = new FakeToxicLink();
        var context = link.Context(LimitDataToxic.Instance, 100);

        await LimitDataToxic.Instance.OnChunkAsync(context, link.ChunkOf(90), link.Next);
        var closedEarly = link.Closed;
        await LimitDataToxic.Instance.OnChunkAsync(context, link.ChunkOf(20), link.Next);

        closedEarly.Should().BeFalse();
        link.Forwarded.Select(s => s.Length).Should().Equal(90, 10);
        link.Closed.Should().BeTrue();
    }

    [Fact]
    public async Task ResetPeer_DropsTheDataAndResetsAfterTheTimeout()
    {
        var link = new FakeToxicLink();
        var pending = ResetPeerToxic.Instance.OnChunkAsync(link.Context(ResetPeerToxic.Instance, 200), link.ChunkOf(4), link.Next).AsTask();

        link.Clock.Advance(TimeSpan.FromMilliseconds(199));
        var early = link.Reset;
        link.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await pending.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        early.Should().BeFalse();
        link.Reset.Should().BeTrue();
        link.Forwarded.Should().BeEmpty();
    }

    [Fact]
    public async Task SlowClose_PassesTheCloseOnAfterTheDelay()
    {
        var link = new FakeToxicLink();
        var closed = false;
        var pending = SlowCloseToxic.Instance.OnEndAsync(link.Context(SlowCloseToxic.Instance, 500), () =>
        {
            closed = true;
            return ValueTask.CompletedTask;
        }).AsTask();

        link.Clock.Advance(TimeSpan.FromMilliseconds(499));
        var early = closed;
        link.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await pending.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        early.Should().BeFalse();
        closed.Should().BeTrue();
    }

    [Fact]
    public async Task Timeout_DropsData()
    {
        var link = new FakeToxicLink();

        await TimeoutToxic.Instance.OnChunkAsync(link.Context(TimeoutToxic.Instance, 0), link.ChunkOf(4), link.Next);

        link.Forwarded.Should().BeEmpty();
    }
}
