using System.Collections.Concurrent;
using Chaos.Reference.Client;

namespace Chaos.Reference.Tests.Support;

/// <summary>Records what one ChatClient handed to the app and which frames it saw.</summary>
public sealed class DeviceRecorder
{
    private readonly ConcurrentQueue<ChatDelivery> _delivered = new();
    private readonly ConcurrentQueue<TransportFrame> _frames = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Func<string>? _diagnostics;

    public DeviceRecorder(ChatClient client, Func<string>? diagnostics = null)
    {
        Client = client;
        _diagnostics = diagnostics;
        client.Delivered += d =>
        {
            _delivered.Enqueue(d);
            _changed.Release();
        };
        client.FrameReceived += f => _frames.Enqueue(f);
    }

    public ChatClient Client { get; }

    public IReadOnlyList<ChatDelivery> Delivered => [.. _delivered];

    public IReadOnlyList<TransportFrame> Frames => [.. _frames];

    /// <summary>Waits until the app received at least <paramref name="count"/> deliveries.</summary>
    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_delivered.Count < count)
        {
            try
            {
                await _changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Client.User}/{Client.Device}: {_delivered.Count} of {count} deliveries after {timeout}\n{_diagnostics?.Invoke()}");
            }
        }
    }
}
