using Chaos.Reference.Storage;

namespace Chaos.Reference.Api;

/// <summary>A write waiting in the <see cref="WriteQueue"/>, and the request's handle on its outcome.</summary>
internal sealed record PendingWrite(MessageWrite Write, TaskCompletionSource<WriteOutcome> Completion);
