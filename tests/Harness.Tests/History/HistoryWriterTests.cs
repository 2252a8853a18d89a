using Chaos.Harness.History;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.History;

public sealed class HistoryWriterTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-history-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Record_AssignsIndexAndTimeFromTheInjectedClock()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider();
        var path = Path.Combine(_dir, "h.jsonl");
        await using (var writer = HistoryWriter.Create(path, clock))
        {
            writer.Record("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue("m1", ["u1"]));
            clock.Advance(TimeSpan.FromMilliseconds(1.5));
            var ok = writer.Record("s1", HistoryEventType.Ok, HistoryOps.Send, new SendValue("m1", ["u1"], Seq: new Dictionary<string, long> { ["u1"] = 1 }));
            ok.Index.Should().Be(1);
            ok.Time.Should().Be(1_500_000);
        }

        var read = await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, ct).WaitAsync(Bound, ct);
        read.Events.Select(e => e.Index).Should().Equal(0, 1);
        read.Events.Select(e => e.Time).Should().Equal(0, 1_500_000);
        read.Events[1].AsSend()!.Seq!["u1"].Should().Be(1);
    }

    [Fact]
    public async Task FlushAsync_MakesEveryRecordedEventReadableWhileTheRunGoes()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir, "live.jsonl");
        await using var writer = HistoryWriter.Create(path, TimeProvider.System);
        for (var i = 0; i < 100; i++)
        {
            writer.Record("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue($"m{i}", "u1", "d1", i + 1));
        }

        await writer.FlushAsync(ct).WaitAsync(Bound, ct);

        // The writer is still open: this is what a crash at this moment would leave behind.
        var read = await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, ct).WaitAsync(Bound, ct);
        read.Events.Should().HaveCount(100);
    }

    [Fact]
    public async Task Record_FromManyThreads_FileOrderIsIndexOrderAndNothingIsLost()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir, "concurrent.jsonl");
        await using (var writer = HistoryWriter.Create(path, TimeProvider.System))
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(
                () =>
                {
                    for (var i = 0; i < 2_000; i++)
                    {
                        writer.Record($"sender-{t}", HistoryEventType.Invoke, HistoryOps.Send, new SendValue($"m{t}-{i}", ["u1"]));
                    }
                },
                ct))).WaitAsync(Bound, ct);
            writer.Count.Should().Be(16_000);
        }

        var read = await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, ct).WaitAsync(Bound, ct);
        read.Events.Select(e => e.Index).Should().Equal(Enumerable.Range(0, 16_000).Select(i => (long)i));
        read.Events.Select(e => e.Time).Should().BeInAscendingOrder("time is taken under the same lock as the index");
        read.Events.Select(e => e.AsSend()!.Id).Distinct().Should().HaveCount(16_000);
    }

    [Fact]
    public async Task Record_RawJsonValueForUnknownOp_IsWrittenAsIs()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir, "raw.jsonl");
        await using (var writer = HistoryWriter.Create(path, TimeProvider.System))
        {
            using var doc = System.Text.Json.JsonDocument.Parse("""{"user":"u1","online":false}""");
            writer.Record("gateway-1", HistoryEventType.Info, "presence", doc.RootElement);
        }

        var line = (await File.ReadAllLinesAsync(path, ct)).Single();
        line.Should().Contain("\"f\":\"presence\"").And.Contain("\"value\":{\"user\":\"u1\",\"online\":false}");
    }

    [Fact]
    public async Task Record_AfterDispose_Throws()
    {
        var writer = HistoryWriter.Create(Path.Combine(_dir, "closed.jsonl"), TimeProvider.System);
        await writer.DisposeAsync();

        var act = () => writer.Record("p", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Steady));

        act.Should().Throw<ObjectDisposedException>();
    }
}
