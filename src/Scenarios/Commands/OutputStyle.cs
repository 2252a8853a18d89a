using System.CommandLine;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>--quiet</c> and <c>--no-color</c> for <c>run</c>, <c>replay</c>, <c>check</c> and <c>verify</c> (docs/running.md,
/// "What the commands print"). Quiet keeps the verdicts, what reproduces a failure and every error, and drops progress,
/// headers and report paths. The verdict word is coloured only when stdout is a terminal, neither <c>--no-color</c>
/// nor <c>NO_COLOR</c> (https://no-color.org) is set, and <c>--json</c> is not given (stdout is then the document's).
/// </summary>
internal sealed class OutputStyle
{
    private const string Reset = "\u001b[0m";

    private readonly Option<bool> _quiet = new("--quiet", "-q") { Description = "Print only the verdicts, what reproduces a failure, and errors: no progress, headers or report paths." };
    private readonly Option<bool> _noColor = new("--no-color") { Description = "Never colour the verdict (nor when NO_COLOR is set; never when stdout is not a terminal)." };

    /// <summary>Whether to print progress, headers and report paths.</summary>
    public bool Quiet { get; private set; }

    /// <summary>Whether the verdict word gets ANSI colour.</summary>
    public bool Color { get; private set; }

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_quiet);
        command.Options.Add(_noColor);
    }

    /// <summary>Reads the options of this invocation; <paramref name="json"/> turns colour off.</summary>
    public OutputStyle Bind(ParseResult parse, bool json)
    {
        ArgumentNullException.ThrowIfNull(parse);
        Quiet = parse.GetValue(_quiet);
        Color = !json && !parse.GetValue(_noColor) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && !Console.IsOutputRedirected;
        return this;
    }

    /// <summary>Prints <paramref name="text"/> unless quiet.</summary>
    public void Info(string text)
    {
        if (!Quiet)
        {
            Console.WriteLine(text);
        }
    }

    /// <summary>The verdict word (valid, invalid, unknown, caught, missed, …), coloured when colour is on.</summary>
    public string Verdict(string word)
    {
        if (!Color)
        {
            return word;
        }

        var lower = word.ToLowerInvariant();
        var code = lower switch
        {
            "valid" or "clean" or "passed" => "32", // green: the promises held, the matrix passed
            _ when lower.StartsWith("caught", StringComparison.Ordinal) => "32", // green: the defect was found
            "invalid" or "missed" or "false alarm" or "failed" => "31", // red
            _ => "33", // yellow: unknown, undecided, aborted
        };
        return $"\u001b[1;{code}m{word}{Reset}";
    }
}
