namespace Chaos.Harness.Proxy;

/// <summary>A proxy or toxic of that name exists already (409).</summary>
public sealed class ToxiproxyConflictException : ToxiproxyException
{
    public ToxiproxyConflictException(string apiMessage)
        : base(409, apiMessage)
    {
    }

    public ToxiproxyConflictException()
        : base(409, "Conflict")
    {
    }

    public ToxiproxyConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
