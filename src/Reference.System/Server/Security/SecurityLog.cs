namespace Chaos.Reference.Security;

/// <summary>One line per refused credential: what was refused and why, never the credential and never a stack trace.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "refused a bearer token on {Path}: {Reason}")]
    public static partial void BearerRefused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "refused a login for user {User}: {Reason}")]
    public static partial void LoginRefused(ILogger logger, string user, string reason);
}
