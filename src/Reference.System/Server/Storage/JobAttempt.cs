namespace Chaos.Reference.Storage;

internal sealed record JobAttempt(int Attempt, long AtMs, string Outcome, string Instance);
