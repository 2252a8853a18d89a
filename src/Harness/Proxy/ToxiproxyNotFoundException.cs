namespace Chaos.Harness.Proxy;

/// <summary>A proxy, toxic or connection does not exist (404).</summary>
public sealed class ToxiproxyNotFoundException : ToxiproxyException
{
    public ToxiproxyNotFoundException(string apiMessage)
        : base(404, apiMessage)
    {
    }

    public ToxiproxyNotFoundException()
        : base(404, "NotFound")
    {
    }

    public ToxiproxyNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
