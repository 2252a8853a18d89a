namespace Chaos.Reference.Jobs;

/// <summary>The dependency a credit job calls once per attempt (think: a payment provider).</summary>
internal interface IDownstream
{
    /// <summary>Makes one call. Throws <see cref="TransientDownstreamException"/> for a failure worth retrying and
    /// <see cref="PermanentDownstreamException"/> for a refusal that retrying cannot change.</summary>
    Task CallAsync(DownstreamCall call, CancellationToken cancellationToken);
}
