namespace Chaos.Harness.Api;

/// <summary>A chat message from <paramref name="From"/> to <paramref name="To"/> in a conversation; <paramref name="Id"/> is also its idempotency key.</summary>
public sealed record ChatMessage(string Id, string From, string Conversation, IReadOnlyList<string> To, string Body);
