namespace Chaos.Reference.Faults;

/// <summary>Thrown by a failpoint armed with the throw action.</summary>
public sealed class FailpointException : Exception
{
    public FailpointException()
    {
    }

    public FailpointException(string message)
        : base(message)
    {
    }

    public FailpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
