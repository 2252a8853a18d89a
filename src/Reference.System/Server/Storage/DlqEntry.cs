namespace Chaos.Reference.Storage;

internal sealed record DlqEntry(long Id, string? JobKey, string Reason, string Payload, long AtMs, string Instance);
