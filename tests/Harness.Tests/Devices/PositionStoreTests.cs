using Chaos.Harness.Devices;

namespace Chaos.Harness.Tests.Devices;

public sealed class PositionStoreTests
{
    [Fact]
    public async Task FilePositionStore_SaveThenLoad_RoundTripsPerDeviceAcrossInstances()
    {
        var dir = Path.Combine(Path.GetTempPath(), "chaos-positions-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ct = TestContext.Current.CancellationToken;
            using (var store = new FilePositionStore(dir))
            {
                (await store.LoadAsync("u/1", "d", ct)).Should().Be(0);
                await store.SaveAsync("u/1", "d", 41, ct);
                await store.SaveAsync("u/1", "d", 42, ct);
                await store.SaveAsync("u/1", "other", 7, ct);
                (await store.LoadAsync("u/1", "other", ct)).Should().Be(7);
            }

            using var reopened = new FilePositionStore(dir);
            (await reopened.LoadAsync("u/1", "d", ct)).Should().Be(42, "a restarted app reads what the last one saved");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task WriteBehindPositionStore_SavesOnlyEveryNthPosition_PerDevice()
    {
        var ct = TestContext.Current.CancellationToken;
        var inner = new MemoryPositionStore();
        var store = new WriteBehindPositionStore(inner, every: 3);
        for (var seq = 1; seq <= 5; seq++)
        {
            await store.SaveAsync("u1", "d1", seq, ct);
        }

        await store.SaveAsync("u1", "d2", 1, ct);

        (await store.LoadAsync("u1", "d1", ct)).Should().Be(3, "the third save was written, the fourth and fifth not yet");
        (await inner.LoadAsync("u1", "d2", ct)).Should().Be(0, "each device counts its own saves");
    }

    [Fact]
    public async Task MemoryPositionStore_NeverMovesBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new MemoryPositionStore();
        await store.SaveAsync("u1", "d1", 9, ct);
        await store.SaveAsync("u1", "d1", 4, ct);
        (await store.LoadAsync("u1", "d1", ct)).Should().Be(9);
    }
}
