namespace Chaos.Reference.Jobs;

/// <summary>The dependency refused the call for good (a 4xx other than 408/429): dead-lettered at once, not retried.</summary>
public sealed class PermanentDownstreamException : Exception
{
    public PermanentDownstreamException()
    {
    }

    public PermanentDownstreamException(string message)
        : base(message)
    {
    }

    public PermanentDownstreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
