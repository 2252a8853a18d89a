using Chaos.Harness.Checkers;

namespace Chaos.Harness.Runs;

/// <summary>How a run ended: the verdict and its exit code, the run folder, and why, in a sentence.</summary>
public sealed record RunOutcome(Verdict Verdict, string Directory, CheckResult? Result, string Message)
{
    /// <summary>The <c>chaos</c> command that runs this run again (<see cref="ReproduceCommand"/>), when known.</summary>
    public string? Reproduce { get; init; }

    /// <summary>0 every promise held, 1 a promise broke, 2 the run could not be carried out or decided.</summary>
    public int ExitCode => Verdict switch
    {
        Verdict.Valid => 0,
        Verdict.Invalid => 1,
        _ => 2,
    };
}
