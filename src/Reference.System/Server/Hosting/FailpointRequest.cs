namespace Chaos.Reference.Hosting;

/// <summary>Body of POST /admin/failpoints: <c>{"spec": "notifier.mid-batch=crash@3"}</c>.</summary>
internal sealed record FailpointRequest(string? Spec);
