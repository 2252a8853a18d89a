namespace Chaos.Harness.Faults.Failpoints;

/// <summary>What an armed failpoint of the reference system does when it fires.</summary>
public enum FailpointAction
{
    /// <summary>The process exits at once (exit 137, no cleanup): a crash at that exact point.</summary>
    Crash,

    /// <summary>The code waits for the given delay, then goes on.</summary>
    Delay,

    /// <summary>The code throws; the role handles it as it would any error there.</summary>
    Throw,
}
