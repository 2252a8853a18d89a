using System.Net.WebSockets;

namespace Chaos.Reference.Client;

/// <summary>
/// The client's WebSocket as a suspended app sees it: while the <see cref="SleepGate"/> is closed, no read, write or
/// close starts (the OS froze the app; the kernel still buffers what arrives), so neither frames nor SignalR pings
/// move. Abort and Dispose release any waiter at once, as they would kill a frozen socket.
/// </summary>
internal sealed class SleepableWebSocket(WebSocket inner, SleepGate gate) : WebSocket
{
    private readonly CancellationTokenSource _aborted = new();

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    public override void Abort()
    {
        Cancel();
        inner.Abort();
    }

    public override async Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        await WhileAsleepAsync(cancellationToken);
        await inner.CloseAsync(closeStatus, statusDescription, cancellationToken);
    }

    public override async Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        await WhileAsleepAsync(cancellationToken);
        await inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        await WhileAsleepAsync(cancellationToken);
        return await inner.ReceiveAsync(buffer, cancellationToken);
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await WhileAsleepAsync(cancellationToken);
        return await inner.ReceiveAsync(buffer, cancellationToken);
    }

    public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        await WhileAsleepAsync(cancellationToken);
        await inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        await WhileAsleepAsync(cancellationToken);
        await inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken)
    {
        await WhileAsleepAsync(cancellationToken);
        await inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);
    }

    public override void Dispose()
    {
        Cancel();
        inner.Dispose();
        _aborted.Dispose();
    }

    private async ValueTask WhileAsleepAsync(CancellationToken cancellationToken)
    {
        if (!gate.IsAsleep)
        {
            return;
        }

        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token);
        try
        {
            await gate.WaitAwakeAsync(either.Token);
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new WebSocketException(WebSocketError.InvalidState, "the socket was aborted while the device slept");
        }
    }

    private void Cancel()
    {
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // disposed already: nothing waits any more
        }
    }
}
