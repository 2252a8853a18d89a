namespace Chaos.Harness.Faults.Schedule;

/// <summary>The syntax of a schedule or incident file; both carry the same fields.</summary>
public enum ScheduleFileFormat
{
    /// <summary>JSON (schedule.json, or a hand-written incident).</summary>
    Json,

    /// <summary>YAML (a hand-written incident).</summary>
    Yaml,
}
