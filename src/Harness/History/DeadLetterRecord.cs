namespace Chaos.Harness.History;

/// <summary>One record of a dead-letter topic in a <c>dead-letters</c> event: the job it is keyed by and the reason it carries.</summary>
public readonly record struct DeadLetterRecord(string Id, string? Reason);
