namespace Chaos.Scenarios.Commands;

/// <summary>The harness's exit codes: CI must tell "the system is broken" from "the harness is broken".</summary>
public static class ExitCodes
{
    /// <summary>Every promise held.</summary>
    public const int Valid = 0;

    /// <summary>A promise was broken: anomalies were found.</summary>
    public const int Invalid = 1;

    /// <summary>The run could not be carried out (bad input, topology failed, harness error, undecidable).</summary>
    public const int RunFailed = 2;
}
