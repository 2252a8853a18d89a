namespace Chaos.Reference.Jobs;

/// <summary>One call to the downstream, as the jobs worker sends it (JSON, camelCase): which job, its transaction, and
/// which attempt of the job's budget this is by the worker's own count.</summary>
internal sealed record DownstreamCall(string Job, string Txn, string Account, long Amount, int Attempt, string Instance);
