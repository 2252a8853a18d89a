using Chaos.Harness.Checkers;

namespace Chaos.Scenarios.Verify;

/// <summary>One run of the matrix: a defect (or none: the correct system) against a scenario with a seed.</summary>
internal sealed record VerifyCell(string? Defect, string Scenario, long Seed, Verdict Verdict, IReadOnlyList<string> Anomalies, IReadOnlyList<string> Expected, string Directory, string Message)
{
    /// <summary>
    /// Earlier attempts of this cell that were undecided and so were run again with the same seed (verify --retries):
    /// one line each, "undecided — why (folder)". Empty when the first attempt decided.
    /// </summary>
    public IReadOnlyList<string> EarlierAttempts { get; init; } = [];

    /// <summary>For a defect run: invalid, with at least one of the expected anomaly classes.</summary>
    public bool Caught => Defect is not null && Verdict == Verdict.Invalid && (Expected.Count == 0 || Anomalies.Intersect(Expected).Any());

    /// <summary>For a correct-system run: every promise held.</summary>
    public bool Clean => Defect is null && Verdict == Verdict.Valid;

    public string Outcome => Defect is null
        ? Verdict switch { Verdict.Valid => "clean", Verdict.Invalid => "FALSE ALARM", _ => "undecided" }
        : Verdict switch
        {
            Verdict.Invalid when Caught => "caught",
            Verdict.Invalid => "caught (other class)",
            Verdict.Valid => "MISSED",
            _ => "undecided",
        };
}
