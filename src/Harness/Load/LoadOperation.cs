namespace Chaos.Harness.Load;

/// <summary>
/// One operation of a load run. It receives its intended and actual start (so it can record them in the
/// history) and a token that is cancelled when the run is cancelled or its drain times out.
/// A thrown exception counts the operation as failed.
/// </summary>
public delegate ValueTask LoadOperation(LoadInvocation invocation, CancellationToken cancellationToken);
