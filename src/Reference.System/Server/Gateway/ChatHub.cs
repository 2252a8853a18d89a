using Microsoft.AspNetCore.Authorization;
using Chaos.Reference.Observability;
using Microsoft.AspNetCore.SignalR;

namespace Chaos.Reference.Gateway;

/// <summary>
/// The device hub (/hub?device=NAME). Client → server: <c>Resume(long lastSeq)</c>, <c>Ack(long seq)</c>.
/// Server → client: <c>Deliver(DeliveryRecord)</c>. The user is the token's <c>sub</c>; a device only ever gets its user's rows.
/// </summary>
[Authorize]
internal sealed class ChatHub(ConnectionRegistry registry, SystemMetrics metrics) : Hub
{
    public override Task OnConnectedAsync()
    {
        var user = Context.UserIdentifier ?? throw new HubException("token has no subject");
        var device = Context.GetHttpContext()?.Request.Query["device"].ToString();
        registry.Add(Context.ConnectionId, user, string.IsNullOrEmpty(device) ? "default" : device);
        return Task.CompletedTask;
    }

    /// <summary>The device's last processed sequence; the gateway pushes everything after it, then live deliveries.</summary>
    public void Resume(long lastSeq) => registry.Resume(Context.ConnectionId, lastSeq);

    public void Ack(long seq) => registry.Ack(Context.ConnectionId, seq);

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        // SignalR closes a connection whose client sent nothing (not even a ping) within ClientTimeoutInterval with
        // this exception; a chaos run reads the count to prove that sleeping devices were timed out.
        if (exception is OperationCanceledException && exception.Message.Contains(nameof(HubOptions.ClientTimeoutInterval), StringComparison.Ordinal))
        {
            metrics.ClientTimeouts.Add(1);
        }

        return registry.RemoveAsync(Context.ConnectionId);
    }
}
