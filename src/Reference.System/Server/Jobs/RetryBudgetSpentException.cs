namespace Chaos.Reference.Jobs;

/// <summary>
/// A job's attempt budget is spent — counted across deliveries, from the attempts the store holds — and the last
/// attempt failed: the retry pipeline does not handle it, so the job is dead-lettered at once.
/// </summary>
public sealed class RetryBudgetSpentException : Exception
{
    public RetryBudgetSpentException()
    {
    }

    public RetryBudgetSpentException(string message)
        : base(message)
    {
    }

    public RetryBudgetSpentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RetryBudgetSpentException(int attempts, string lastError, Exception? innerException = null)
        : base($"retry budget exhausted after {attempts} attempts: {lastError}", innerException)
    {
        Attempts = attempts;
    }

    /// <summary>Attempts the job made in all, across deliveries.</summary>
    public int Attempts { get; }
}
