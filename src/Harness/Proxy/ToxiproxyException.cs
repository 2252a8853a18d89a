namespace Chaos.Harness.Proxy;

/// <summary>The Toxiproxy API (ours or a real one) answered with an error status.</summary>
public class ToxiproxyException : Exception
{
    public ToxiproxyException(int statusCode, string apiMessage)
        : base($"HTTP {statusCode}: {apiMessage}")
    {
        StatusCode = statusCode;
        ApiMessage = apiMessage;
    }

    public ToxiproxyException()
        : this(0, "unknown error")
    {
    }

    public ToxiproxyException(string message)
        : this(0, message)
    {
    }

    public ToxiproxyException(string message, Exception innerException)
        : base(message, innerException)
    {
        ApiMessage = message;
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>The server's <c>error</c> text, e.g. <c>proxy not found</c>.</summary>
    public string ApiMessage { get; } = string.Empty;
}
