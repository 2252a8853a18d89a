using Chaos.Harness.Proxy.Toxics;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.Faults.Network.Toxics;

/// <summary>A link on a fake clock that records what a toxic forwards and whether it closed or reset.</summary>
internal sealed class FakeToxicLink : IToxicLink
{
    private readonly CancellationTokenSource _closed = new();

    public FakeTimeProvider Clock { get; } = new();

    public TimeProvider Time => Clock;

    public Random Random { get; } = new(1);

    public CancellationToken ConnectionClosed => _closed.Token;

    public List<byte[]> Forwarded { get; } = [];

    public int ForwardedCount
    {
        get
        {
            lock (Forwarded)
            {
                return Forwarded.Count;
            }
        }
    }

    public bool Closed { get; private set; }

    public bool Reset { get; private set; }

    public Task CloseConnectionAsync()
    {
        Closed = true;
        return Task.CompletedTask;
    }

    public Task ResetConnectionAsync()
    {
        Reset = true;
        return Task.CompletedTask;
    }

    public ToxicContext Context(ToxicBehavior behavior, params long[] attributes) =>
        new(this, new ToxicDefinition("t", behavior, Chaos.Harness.Proxy.ToxicStream.Downstream, 1f, attributes));

    public Chunk ChunkOf(int length, TimeSpan age = default) =>
        new(Enumerable.Range(0, length).Select(i => (byte)i).ToArray(), Clock.GetTimestamp() - (long)(age.TotalSeconds * Clock.TimestampFrequency));

    public ValueTask Next(Chunk chunk)
    {
        lock (Forwarded)
        {
            Forwarded.Add(chunk.Data.ToArray());
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Timer continuations may run on another thread: wait (bounded) until <paramref name="count"/> pieces went on.</summary>
    public async Task WaitForForwardedAsync(int count)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (ForwardedCount < count)
        {
            await Task.Delay(1, limit.Token);
        }
    }
}
