namespace Chaos.Scenarios.Commands;

/// <summary>Bad command-line input: reported as one line naming what is wrong, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
