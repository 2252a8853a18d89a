namespace Chaos.Harness.Proxy;

/// <summary>The request was malformed or invalid (400); the server changed nothing.</summary>
public sealed class ToxiproxyBadRequestException : ToxiproxyException
{
    public ToxiproxyBadRequestException(string apiMessage)
        : base(400, apiMessage)
    {
    }

    public ToxiproxyBadRequestException()
        : base(400, "BadRequest")
    {
    }

    public ToxiproxyBadRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
