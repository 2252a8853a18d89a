namespace Chaos.Reference.Storage;

/// <summary>Result of an idempotent write: created, a replay of the first request (its stored result), or a key reused for a different request.</summary>
internal sealed record WriteOutcome(WriteStatus Status, string Result);
