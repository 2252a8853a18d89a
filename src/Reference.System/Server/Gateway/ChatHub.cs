using Chaos.Reference.Api;
using Chaos.Reference.Observability;
using Chaos.Reference.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Chaos.Reference.Gateway;

/// <summary>
/// The device hub (/hub?device=NAME). Client → server: <c>Resume(long lastSeq)</c>, <c>Ack(long seq)</c>.
/// Server → client: <c>Deliver(DeliveryRecord)</c>. The user is the token's <c>sub</c> (never a client-supplied value),
/// so a device only ever gets its own user's rows; the methods act on the caller's own connection only.
/// </summary>
[Authorize(Policy = AccessPolicies.User)]
internal sealed class ChatHub(ConnectionRegistry registry, SystemMetrics metrics) : Hub
{
    /// <summary>
    /// Refuses a handshake whose <c>?device=</c> is not a name (400 with a JSON error), before the hub sees it: a
    /// refusal inside <see cref="OnConnectedAsync"/> would be a logged server error instead of the client's.
    /// </summary>
    public static async Task RefuseBadDeviceAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Path.StartsWithSegments("/hub", StringComparison.Ordinal))
        {
            try
            {
                RequestReader.QueryName(http.Request, "device");
            }
            catch (ApiError e)
            {
                http.Response.StatusCode = e.Status;
                await http.Response.WriteAsJsonAsync(new { error = e.Message });
                return;
            }
        }

        await next(http);
    }

    public override Task OnConnectedAsync()
    {
        var user = Context.UserIdentifier;
        if (string.IsNullOrEmpty(user))
        {
            Context.Abort(); // unreachable past the User policy, which requires a subject
            return Task.CompletedTask;
        }

        var device = Context.GetHttpContext()?.Request.Query["device"].ToString();
        registry.Add(Context.ConnectionId, user, string.IsNullOrEmpty(device) ? "default" : device, Context.Abort);
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
            FailurePaths.GatewayClientTimeout.Hit();
            metrics.ClientTimeouts.Add(1);
        }

        return registry.RemoveAsync(Context.ConnectionId);
    }
}
