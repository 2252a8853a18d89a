using Chaos.Harness.Load;

namespace Chaos.Harness.Tests.Load;

/// <summary>The recorder's snapshot while operations still finish on other threads (a burst healed mid-flight, a drain cut short).</summary>
public sealed class LoadRecorderTests
{
    [Fact(Timeout = 60_000)]
    public async Task Snapshot_WhileOperationsStillFinish_IsConsistent_AndLaterFinishesAreNotRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var round = 0; round < 20; round++)
        {
            var recorder = new LoadRecorder(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            {
                var i = 0L;
                while (!stop.IsCancellationRequested)
                {
                    var intended = TimeSpan.FromMilliseconds(i++ % 9_000);
                    recorder.Started(intended, 10, late: false);
                    if (i % 10 == 0)
                    {
                        recorder.Failed(intended);
                    }
                    else
                    {
                        recorder.Completed(intended, 100 + (i % 50), intended);
                    }
                }
            }, ct)).ToArray();
            await Task.Delay(20, ct);

            var result = recorder.Snapshot(ArrivalProfile.Constant(100, TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(10), cancelled: true);
            var again = recorder.Snapshot(ArrivalProfile.Constant(100, TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(10), cancelled: true);
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            result.Completed.Should().BeGreaterThan(0);
            result.Latency.TotalCount.Should().Be(result.Completed, "every completion counted has its latency in the copied histogram, and no other");
            result.TimeSeries.Sum(s => s.Completed).Should().Be(result.Completed);
            (result.Completed + result.Failed + result.Unfinished).Should().Be(result.Started);
            result.Unfinished.Should().BeInRange(0, 4, "at most the operation each writer had started when the seal came");
            again.Started.Should().Be(result.Started, "nothing is recorded after the seal");
            again.Completed.Should().Be(result.Completed);
        }
    }
}
