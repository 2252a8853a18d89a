namespace Chaos.Reference.Storage;

/// <summary>An outbox row to publish; <paramref name="TraceParent"/> is the W3C context of its send when it was traced (SystemTracing).</summary>
internal sealed record OutboxRow(long Id, string Topic, string? Key, string Value, string? TraceParent);
