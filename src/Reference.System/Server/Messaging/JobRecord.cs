namespace Chaos.Reference.Messaging;

/// <summary>A credit-account job on the jobs topic, keyed by account.</summary>
internal sealed record JobRecord(string Key, string Account, long Amount, string TransactionId);
