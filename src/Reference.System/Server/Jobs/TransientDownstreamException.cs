namespace Chaos.Reference.Jobs;

/// <summary>A failure worth retrying (the dependency said 503 or timed out).</summary>
public sealed class TransientDownstreamException : Exception
{
    public TransientDownstreamException()
    {
    }

    public TransientDownstreamException(string message)
        : base(message)
    {
    }

    public TransientDownstreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
