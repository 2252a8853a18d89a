namespace Chaos.Reference.Storage;

internal sealed record OutboxRow(long Id, string Topic, string? Key, string Value);
