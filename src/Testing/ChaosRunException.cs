namespace Chaos.Testing;

/// <summary>A chaos run that could not be done (the tool's exit 2: bad input, a deployment that did not start, a fault
/// that could not be applied), with what the tool said and the run's folder.</summary>
public sealed class ChaosRunException : Exception
{
    public ChaosRunException(int exitCode, string output, string folder, string message, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
        Output = output;
        Folder = folder;
    }

    /// <summary>The tool's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>What the tool printed (stdout, then stderr; its last 64 KiB each).</summary>
    public string Output { get; }

    /// <summary>The run's folder (it may not exist: a run refused before it began writes none).</summary>
    public string Folder { get; }
}
