namespace Chaos.Reference.Storage;

internal sealed record JobView(string Key, string Account, long Amount, string TransactionId, string State, string? Reason, IReadOnlyList<JobAttempt> Attempts);
