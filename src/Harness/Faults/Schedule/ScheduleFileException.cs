namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// A schedule or incident file that cannot be used. Lists every problem found, each naming its line and field,
/// so a user fixes the file in one pass.
/// </summary>
public sealed class ScheduleFileException : Exception
{
    /// <summary>Creates the exception from the problems found (at least one).</summary>
    public ScheduleFileException(IReadOnlyList<ScheduleFileError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates an exception with a single problem.</summary>
    public ScheduleFileException(ScheduleFileError error)
        : this([error])
    {
    }

    /// <summary>Not for use: a schedule error always carries its problems.</summary>
    public ScheduleFileException()
        : this([])
    {
    }

    /// <summary>Not for use: a schedule error always carries its problems.</summary>
    public ScheduleFileException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Not for use: a schedule error always carries its problems.</summary>
    public ScheduleFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>How many problems the message lists; <see cref="Errors"/> holds them all (a generated file had 120,000).</summary>
    public const int MaxListed = 20;

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<ScheduleFileError> Errors { get; }

    /// <summary>The message for <paramref name="errors"/>: each on its own line, the first <see cref="MaxListed"/> of
    /// many (a system file's errors read the same: <see cref="Deployment.SystemFileException"/>).</summary>
    internal static string Describe(IReadOnlyList<ScheduleFileError> errors) =>
        errors.Count switch
        {
            0 => "The schedule file is invalid.",
            1 => errors[0].ToString(),
            <= MaxListed => $"{errors.Count} problems:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}",
            _ => $"{errors.Count} problems, the first {MaxListed}:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Take(MaxListed))}{Environment.NewLine}"
                + $"... and {errors.Count - MaxListed} more",
        };
}
