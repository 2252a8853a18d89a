using Microsoft.AspNetCore.SignalR;

namespace Chaos.Reference.Gateway;

/// <summary>The SignalR user is the JWT's <c>sub</c> claim (inbound claim mapping is off).</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.FindFirst("sub")?.Value;
}
