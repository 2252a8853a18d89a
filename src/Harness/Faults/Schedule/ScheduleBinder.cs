using System.Globalization;

namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// Turns a parsed file into a <see cref="FaultSchedule"/>, collecting every problem with its line and field
/// (unknown or missing fields, malformed times, faults and targets outside the catalogue).
/// </summary>
internal sealed class ScheduleBinder(string source, FaultCatalogue? catalogue)
{
    private static readonly string[] RootFields = ["format", "version", "name", "description", "scenario", "seed", "duration", "faults"];
    private static readonly string[] EntryFields = ["at", "fault", "target", "duration", "parameters"];

    private readonly List<ScheduleFileError> _errors = [];

    public FaultSchedule Bind(SourceNode root)
    {
        if (root is not SourceMapping mapping)
        {
            throw Fail(root, "(file)", "the file must be a mapping with a 'faults' list (see docs/schedules.md)");
        }

        CheckFields(mapping, RootFields, string.Empty);
        var format = Text(mapping, "format", string.Empty, required: false);
        if (format is not null && format != FaultScheduleFile.FormatName)
        {
            Error(Value(mapping, "format")!, "format", $"expected '{FaultScheduleFile.FormatName}', found '{format}'");
        }

        var versionNode = Value(mapping, "version");
        if (versionNode is not null && (versionNode is not SourceScalar { Value: "1", Quoted: false }))
        {
            Error(versionNode, "version", $"this harness reads version {FaultScheduleFile.FormatVersion}");
        }

        var name = Text(mapping, "name", string.Empty, required: false);
        var description = Text(mapping, "description", string.Empty, required: false);
        var scenario = Text(mapping, "scenario", string.Empty, required: false);
        long? seed = null;
        if (Value(mapping, "seed") is { } seedNode)
        {
            if (seedNode is SourceScalar { Quoted: false, Value: { } seedText } && long.TryParse(seedText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                seed = parsed;
            }
            else
            {
                Error(seedNode, "seed", "the seed must be a whole number");
            }
        }

        var duration = Duration(mapping, "duration", "duration", required: false);
        var entries = new List<FaultScheduleEntry>();
        switch (Value(mapping, "faults"))
        {
            case null:
                Error(mapping, "faults", "missing: a schedule needs a 'faults' list (it may be empty)");
                break;
            case SourceSequence faults:
                for (var i = 0; i < faults.Items.Count; i++)
                {
                    if (BindEntry(faults.Items[i], $"faults[{i}]", duration) is { } entry)
                    {
                        entries.Add(entry);
                    }
                }

                break;
            case var other:
                Error(other, "faults", "must be a list of faults");
                break;
        }

        if (_errors.Count > 0)
        {
            throw new ScheduleFileException([.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        return new FaultSchedule(entries, duration)
        {
            Name = name,
            Description = description,
            Scenario = scenario,
            Seed = seed,
        };
    }

    private FaultScheduleEntry? BindEntry(SourceNode node, string path, TimeSpan? phase)
    {
        if (node is not SourceMapping mapping)
        {
            Error(node, path, "each fault must be a mapping with at, fault and target");
            return null;
        }

        var before = _errors.Count;
        CheckFields(mapping, EntryFields, path + ".");
        var at = Duration(mapping, "at", path + ".at", required: true);
        var fault = Text(mapping, "fault", path + ".", required: true);
        var target = Text(mapping, "target", path + ".", required: true);
        var duration = Duration(mapping, "duration", path + ".duration", required: false);

        if (catalogue is not null && fault is not null)
        {
            if (!catalogue.IsKnownFault(fault))
            {
                Error(Value(mapping, "fault")!, path + ".fault", $"unknown fault '{fault}' (known: {string.Join(", ", catalogue.Faults)})");
            }
            else if (target is not null && !catalogue.TargetsOf(fault).Contains(target, StringComparer.Ordinal))
            {
                Error(Value(mapping, "target")!, path + ".target", $"unknown target '{target}' for fault '{fault}' (known: {string.Join(", ", catalogue.TargetsOf(fault))})");
            }
        }

        if (phase is { } length && at is { } start)
        {
            if (start >= length)
            {
                Error(Value(mapping, "at")!, path + ".at", $"{DurationText.Format(start)} is not before the end of the fault phase ({DurationText.Format(length)})");
            }
            else if (duration is { } d && start + d > length)
            {
                Error(Value(mapping, "duration")!, path + ".duration", $"the fault would be healed at {DurationText.Format(start + d)}, after the end of the fault phase ({DurationText.Format(length)})");
            }
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Value(mapping, "parameters"))
        {
            case null:
                break;
            case SourceMapping map:
                foreach (var entry in map.Entries)
                {
                    if (entry.Value is SourceScalar { Value: { } value })
                    {
                        parameters[entry.Key] = value;
                    }
                    else
                    {
                        Error(entry.Value, $"{path}.parameters.{entry.Key}", "a parameter must be a single value");
                    }
                }

                break;
            case var other:
                Error(other, path + ".parameters", "must be a mapping of names to values");
                break;
        }

        if (_errors.Count != before || at is null || fault is null || target is null)
        {
            return null;
        }

        var bound = new FaultScheduleEntry(at.Value, fault, target, duration, parameters);
        return CheckParameters(mapping, path, bound) ? bound : null;
    }

    /// <summary>Runs the catalogue's parameter check; a failure is reported at the parameter's line (else the entry's).</summary>
    private bool CheckParameters(SourceMapping mapping, string path, FaultScheduleEntry entry)
    {
        if (catalogue?.ParameterCheck is not { } check)
        {
            return true;
        }

        try
        {
            check(entry);
            return true;
        }
        catch (ArgumentException e)
        {
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            var colon = message.IndexOf(": ", StringComparison.Ordinal);
            var (field, text) = colon > 0 && !message[..colon].Contains(' ', StringComparison.Ordinal)
                ? (message[..colon], message[(colon + 2)..])
                : ("parameters", message);
            SourceNode node = mapping;
            if (Value(mapping, "parameters") is SourceMapping parameters)
            {
                node = field.StartsWith("parameters.", StringComparison.Ordinal) && Value(parameters, field["parameters.".Length..]) is { } value ? value : parameters;
            }

            Error(node, $"{path}.{field}", text);
            return false;
        }
    }

    private void CheckFields(SourceMapping mapping, string[] known, string prefix)
    {
        foreach (var entry in mapping.Entries)
        {
            if (!known.Contains(entry.Key, StringComparer.Ordinal))
            {
                _errors.Add(new ScheduleFileError(source, entry.Line, entry.Column, prefix + entry.Key, $"unknown field '{entry.Key}' (known: {string.Join(", ", known)})"));
            }
        }
    }

    private string? Text(SourceMapping mapping, string key, string prefix, bool required)
    {
        switch (Value(mapping, key))
        {
            case null when required:
                Error(mapping, prefix + key, "missing");
                return null;
            case null:
                return null;
            case SourceScalar { Value: { Length: > 0 } text } when !string.IsNullOrWhiteSpace(text):
                return text;
            case var other:
                Error(other, prefix + key, "must be a non-empty text");
                return null;
        }
    }

    private TimeSpan? Duration(SourceMapping mapping, string key, string field, bool required)
    {
        switch (Value(mapping, key))
        {
            case null when required:
                Error(mapping, field, "missing");
                return null;
            case null:
                return null;
            case SourceScalar { Value: var text } scalar:
                if (DurationText.TryParse(text, out var value, out var error))
                {
                    return value;
                }

                Error(scalar, field, error);
                return null;
            case var other:
                Error(other, field, "must be a duration such as 500ms, 10s or 1m30s");
                return null;
        }
    }

    private static SourceNode? Value(SourceMapping mapping, string key) =>
        mapping.Entries.FirstOrDefault(e => e.Key == key)?.Value;

    private void Error(SourceNode node, string field, string message) =>
        _errors.Add(new ScheduleFileError(source, node.Line, node.Column, field, message));

    private ScheduleFileException Fail(SourceNode node, string field, string message) =>
        new(new ScheduleFileError(source, node.Line, node.Column, field, message));
}
