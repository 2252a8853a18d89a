namespace Chaos.Harness.Api;

/// <summary>A notification to one user; <paramref name="Id"/> is also its idempotency key.</summary>
public sealed record Notification(string Id, string To, string Body);
