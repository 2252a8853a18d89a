namespace Chaos.Reference.Storage;

/// <summary>One item's result in a group commit: its outcome, or the exception that rolled back that item alone.</summary>
internal sealed record BatchItemOutcome(WriteOutcome? Outcome, Exception? Error);
