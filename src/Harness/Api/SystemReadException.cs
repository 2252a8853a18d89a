namespace Chaos.Harness.Api;

/// <summary>A read of the system's state could not be answered; the message says which read and why.</summary>
public sealed class SystemReadException : Exception
{
    public SystemReadException()
    {
    }

    public SystemReadException(string message)
        : base(message)
    {
    }

    public SystemReadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
