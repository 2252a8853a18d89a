namespace Chaos.Harness.Faults.Schedule;

/// <summary>One problem in a schedule, incident or system file: where (1-based line and column) and which field.</summary>
public sealed record ScheduleFileError(string Source, int Line, int Column, string Field, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Source}:{Line}:{Column}: {Field}: {Message}";
}
