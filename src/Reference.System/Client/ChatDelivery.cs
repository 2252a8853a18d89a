namespace Chaos.Reference.Client;

/// <summary>A delivery handed to the app: message id, the device's user and name, the per-user sequence, and the content.</summary>
public sealed record ChatDelivery(string Id, string User, string Device, long Seq, string Kind, string? Sender, string? Conversation, string Payload, long SentAt);
