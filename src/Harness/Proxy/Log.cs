using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Proxy;

/// <summary>The fault proxy's log messages (event ids 5100-5199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Proxy {Proxy} listening on {Listen}, upstream {Upstream}")]
    public static partial void ProxyStarted(ILogger logger, string proxy, string listen, string upstream);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Proxy {Proxy} stopped; its connections were closed")]
    public static partial void ProxyStopped(ILogger logger, string proxy);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Proxy {Proxy} connection {Connection} from {Client}")]
    public static partial void ConnectionOpened(ILogger logger, string proxy, long connection, string client);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Proxy {Proxy} could not reach upstream {Upstream}: {Reason}")]
    public static partial void UpstreamUnreachable(ILogger logger, string proxy, string upstream, string reason);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Proxy {Proxy}: toxic {Toxic} ({Type}, {Stream}) added")]
    public static partial void ToxicAdded(ILogger logger, string proxy, string toxic, string type, ToxicStream stream);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Proxy {Proxy}: toxic {Toxic} removed")]
    public static partial void ToxicRemoved(ILogger logger, string proxy, string toxic);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Information, Message = "Fault proxy API listening on {Address}")]
    public static partial void ApiStarted(ILogger logger, Uri address);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Information, Message = "Proxy {Proxy} connection {Connection} cut ({Mode})")]
    public static partial void ConnectionCut(ILogger logger, string proxy, long connection, string mode);
}
