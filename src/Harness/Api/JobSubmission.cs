namespace Chaos.Harness.Api;

/// <summary>A credit-account job: add <paramref name="Amount"/> to <paramref name="Account"/>, once; <paramref name="Id"/> is its transaction id and idempotency key.</summary>
public sealed record JobSubmission(string Id, string Account, int Amount);
