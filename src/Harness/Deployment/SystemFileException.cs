using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Deployment;

/// <summary>A system file that cannot be used: every problem found, each naming its line, column and key, so a user
/// fixes the file in one pass (the run exits 2 before anything starts); the message lists the first
/// <see cref="ScheduleFileException.MaxListed"/>, as a schedule file's does.</summary>
public sealed class SystemFileException : Exception
{
    /// <summary>Creates the exception from the problems found (at least one).</summary>
    public SystemFileException(IReadOnlyList<ScheduleFileError> errors)
        : base(ScheduleFileException.Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Not for use: a system file error always carries its problems.</summary>
    public SystemFileException()
        : this("The system file is invalid.")
    {
    }

    /// <summary>Not for use: a system file error always carries its problems.</summary>
    public SystemFileException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Not for use: a system file error always carries its problems.</summary>
    public SystemFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<ScheduleFileError> Errors { get; }
}
