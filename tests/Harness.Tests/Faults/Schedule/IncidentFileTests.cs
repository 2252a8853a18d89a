using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Tests.Faults.Schedule;

public sealed class IncidentFileTests
{
    private static readonly FaultCatalogue Catalogue = new(new Dictionary<string, IEnumerable<string>>
    {
        ["process-kill"] = ["api-1", "api-2", "notifier-1"],
        ["failpoint"] = ["notifier-1", "jobs-1"],
        ["network-latency"] = ["gateway-1"],
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Parse_YamlIncident_GivesSchedule()
    {
        const string yaml = """
            # The classic 3 AM incident.
            name: 3am-duplicate-email
            description: notifier crashed between the email and the offset commit
            duration: 2m
            faults:
              - at: 10s
                fault: failpoint
                target: notifier-1
                parameters:
                  point: notifier.after-effect-before-commit
                  action: crash
              - at: 1m0s500ms
                fault: network-latency
                target: gateway-1
                duration: 1.5s
                parameters: { latency: 500ms }
            """;

        var schedule = FaultScheduleFile.Parse(yaml, ScheduleFileFormat.Yaml, Catalogue, "incident.yaml");

        schedule.Name.Should().Be("3am-duplicate-email");
        schedule.Duration.Should().Be(TimeSpan.FromMinutes(2));
        schedule.Seed.Should().BeNull();
        schedule.Entries.Should().Equal(
            new FaultScheduleEntry(TimeSpan.FromSeconds(10), "failpoint", "notifier-1", null, new Dictionary<string, string> { ["point"] = "notifier.after-effect-before-commit", ["action"] = "crash" }),
            new FaultScheduleEntry(TimeSpan.FromMilliseconds(60_500), "network-latency", "gateway-1", TimeSpan.FromMilliseconds(1_500), new Dictionary<string, string> { ["latency"] = "500ms" }));
    }

    [Fact]
    public void Parse_YamlAndJsonOfTheSameIncident_GiveTheSameSchedule()
    {
        var yaml = FaultScheduleFile.Parse(Document(ScheduleFileFormat.Yaml, "10s", "process-kill", "api-1", "2s"), ScheduleFileFormat.Yaml, Catalogue);
        var json = FaultScheduleFile.Parse(Document(ScheduleFileFormat.Json, "10s", "process-kill", "api-1", "2s"), ScheduleFileFormat.Json, Catalogue);

        json.Should().Be(yaml);
        yaml.Entries.Should().ContainSingle().Which.Should().Be(new FaultScheduleEntry(TimeSpan.FromSeconds(10), "process-kill", "api-1", TimeSpan.FromSeconds(2)));
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, 4)]
    [InlineData(ScheduleFileFormat.Json, 6)]
    public void Parse_UnknownFault_NamesLineAndField(ScheduleFileFormat format, int line)
    {
        var error = SingleError(Document(format, "10s", "proces-kill", "api-1", "2s"), format);

        error.Line.Should().Be(line);
        error.Field.Should().Be("faults[0].fault");
        error.Message.Should().Contain("unknown fault 'proces-kill'").And.Contain("process-kill");
        error.Source.Should().Be("incident");
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, 5)]
    [InlineData(ScheduleFileFormat.Json, 7)]
    public void Parse_UnknownTarget_NamesLineAndField(ScheduleFileFormat format, int line)
    {
        var error = SingleError(Document(format, "10s", "failpoint", "api-1", "2s"), format);

        error.Line.Should().Be(line);
        error.Field.Should().Be("faults[0].target");
        error.Message.Should().Contain("unknown target 'api-1' for fault 'failpoint'").And.Contain("jobs-1");
    }

    [Fact]
    public void Parse_ParameterRefusedByTheCataloguesCheck_NamesTheParametersLineAndField()
    {
        var checkedCatalogue = Catalogue.WithParameterCheck(entry =>
        {
            if (entry.Parameters.TryGetValue("hit", out var hit) && hit != "1")
            {
                throw new ArgumentException($"parameters.hit: '{hit}' is not a hit number I accept", nameof(entry));
            }
        });
        const string Yaml = "faults:\n  - at: 1s\n    fault: failpoint\n    target: jobs-1\n    parameters:\n      point: jobs.x\n      hit: soon\n";

        var act = () => FaultScheduleFile.Parse(Yaml, ScheduleFileFormat.Yaml, checkedCatalogue, "incident.yaml");

        var error = act.Should().Throw<ScheduleFileException>().Which.Errors.Should().ContainSingle().Subject;
        error.ToString().Should().Be("incident.yaml:7:12: faults[0].parameters.hit: 'soon' is not a hit number I accept");
        FaultScheduleFile.Parse(Yaml.Replace("soon", "1", StringComparison.Ordinal), ScheduleFileFormat.Yaml, checkedCatalogue).Entries.Should().ContainSingle();
        FaultScheduleFile.Parse(Yaml, ScheduleFileFormat.Yaml, Catalogue).Entries.Should().ContainSingle("without a check, parameters are the fault's business");
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, "10", 3, "faults[0].at")]
    [InlineData(ScheduleFileFormat.Json, "10", 5, "faults[0].at")]
    [InlineData(ScheduleFileFormat.Yaml, "1m70x", 3, "faults[0].at")]
    [InlineData(ScheduleFileFormat.Json, "ten seconds", 5, "faults[0].at")]
    public void Parse_MalformedTime_NamesLineAndField(ScheduleFileFormat format, string at, int line, string field)
    {
        var error = SingleError(Document(format, at, "process-kill", "api-1", "2s"), format);

        error.Line.Should().Be(line);
        error.Field.Should().Be(field);
        error.Message.Should().Contain("is not a duration");
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, 6)]
    [InlineData(ScheduleFileFormat.Json, 8)]
    public void Parse_MalformedDuration_NamesLineAndField(ScheduleFileFormat format, int line)
    {
        var error = SingleError(Document(format, "10s", "process-kill", "api-1", "2 seconds"), format);

        error.Line.Should().Be(line);
        error.Field.Should().Be("faults[0].duration");
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, 3)]
    [InlineData(ScheduleFileFormat.Json, 4)]
    public void Parse_MissingTarget_NamesTheFaultsLineAndField(ScheduleFileFormat format, int line)
    {
        var error = SingleError(Document(format, "10s", "process-kill", target: null, "2s"), format);

        error.Line.Should().Be(line);
        error.Field.Should().Be("faults[0].target");
        error.Message.Should().Contain("missing");
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, 3)]
    [InlineData(ScheduleFileFormat.Json, 5)]
    public void Parse_TimeAfterThePhase_NamesLineAndField(ScheduleFileFormat format, int line)
    {
        var error = SingleError(Document(format, "2m", "process-kill", "api-1", duration: null), format);

        error.Line.Should().Be(line);
        error.Field.Should().Be("faults[0].at");
    }

    [Fact]
    public void Parse_MisspelledField_NamesIt()
    {
        const string yaml = """
            faults:
              - at: 1s
                fault: process-kill
                taget: api-1
            """;

        var errors = Errors(yaml, ScheduleFileFormat.Yaml);

        errors.Should().Contain(e => e.Field == "faults[0].taget" && e.Line == 4 && e.Message.Contains("unknown field"));
        errors.Should().Contain(e => e.Field == "faults[0].target" && e.Message.Contains("missing"));
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOneInFileOrder()
    {
        const string yaml = """
            faults:
              - at: 1s
                fault: nope
                target: api-1
              - at: 2parsecs
                fault: process-kill
                target: api-1
              - at: 3s
                fault: process-kill
                target: moon
            """;

        var errors = Errors(yaml, ScheduleFileFormat.Yaml);

        errors.Select(e => (e.Line, e.Field)).Should().Equal((3, "faults[0].fault"), (5, "faults[1].at"), (10, "faults[2].target"));
    }

    [Fact]
    public void Parse_MissingFaultsList_IsAnError()
    {
        var error = SingleError("name: nothing\n", ScheduleFileFormat.Yaml);

        error.Field.Should().Be("faults");
        error.Line.Should().Be(1);
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, "faults:\n  - at: [1s\n", 3)]
    [InlineData(ScheduleFileFormat.Json, "{\n  \"faults\": [\n    { \"at\": \"1s\", }\n  ,,]\n}\n", 4)]
    public void Parse_SyntaxError_NamesLine(ScheduleFileFormat format, string text, int line)
    {
        var error = SingleError(text, format);

        error.Field.Should().Be("(syntax)");
        error.Line.Should().Be(line);
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, "faults:\n  - at: 1s\n    at: 2s\n    fault: process-kill\n    target: api-1\n", 3)]
    [InlineData(ScheduleFileFormat.Json, "{\"faults\": [\n  {\"at\": \"1s\",\n   \"at\": \"2s\", \"fault\": \"process-kill\", \"target\": \"api-1\"}]}", 3)]
    public void Parse_DuplicateField_NamesLine(ScheduleFileFormat format, string text, int line)
    {
        var error = SingleError(text, format);

        error.Line.Should().Be(line);
        error.Message.Should().Contain("twice");
    }

    [Theory]
    [InlineData(ScheduleFileFormat.Yaml, "")]
    [InlineData(ScheduleFileFormat.Json, "")]
    [InlineData(ScheduleFileFormat.Yaml, "- just\n- a list\n")]
    [InlineData(ScheduleFileFormat.Json, "[1, 2]")]
    public void Parse_NotASchedule_IsAnError(ScheduleFileFormat format, string text)
    {
        SingleError(text, format).Line.Should().Be(1);
    }

    [Fact]
    public void Parse_WithoutCatalogue_AcceptsAnyFaultAndTarget()
    {
        var schedule = FaultScheduleFile.Parse(Document(ScheduleFileFormat.Json, "1s", "anything", "anywhere", "1s"), ScheduleFileFormat.Json);

        schedule.Entries.Should().ContainSingle().Which.Fault.Should().Be("anything");
    }

    [Theory]
    [InlineData("incident.yaml", ScheduleFileFormat.Yaml)]
    [InlineData("incident.yml", ScheduleFileFormat.Yaml)]
    [InlineData("incident.json", ScheduleFileFormat.Json)]
    public async Task LoadAsync_ByExtension_ReadsEitherSyntax(string fileName, ScheduleFileFormat format)
    {
        var directory = Directory.CreateTempSubdirectory("chaos-incident-");
        try
        {
            var path = Path.Combine(directory.FullName, fileName);
            await File.WriteAllTextAsync(path, Document(format, "5s", "process-kill", "api-2", "1s"), Ct);

            var schedule = await FaultScheduleFile.LoadAsync(path, Catalogue, Ct);

            schedule.Entries.Should().ContainSingle().Which.Target.Should().Be("api-2");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task LoadAsync_BadFile_ErrorNamesThePath()
    {
        var directory = Directory.CreateTempSubdirectory("chaos-incident-");
        try
        {
            var path = Path.Combine(directory.FullName, "bad.yaml");
            await File.WriteAllTextAsync(path, Document(ScheduleFileFormat.Yaml, "5s", "process-kill", "moon", null), Ct);

            var act = () => FaultScheduleFile.LoadAsync(path, Catalogue, Ct);

            (await act.Should().ThrowAsync<ScheduleFileException>()).Which.Message.Should().StartWith($"{path}:5:13: faults[0].target:");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // YAML: at on line 3, fault 4, target 5, duration 6. JSON: the fault's object on line 4, at 5, fault 6, target 7, duration 8.
    private static string Document(ScheduleFileFormat format, string at, string fault, string? target, string? duration)
    {
        if (format == ScheduleFileFormat.Yaml)
        {
            var lines = new List<string> { "duration: 1m", "faults:", $"  - at: {at}", $"    fault: {fault}" };
            if (target is not null)
            {
                lines.Add($"    target: {target}");
            }

            if (duration is not null)
            {
                lines.Add($"    duration: {duration}");
            }

            return string.Join('\n', lines) + "\n";
        }

        var fields = new List<string> { $"      \"at\": \"{at}\"", $"      \"fault\": \"{fault}\"" };
        if (target is not null)
        {
            fields.Add($"      \"target\": \"{target}\"");
        }

        if (duration is not null)
        {
            fields.Add($"      \"duration\": \"{duration}\"");
        }

        return "{\n  \"duration\": \"1m\",\n  \"faults\": [\n    {\n" + string.Join(",\n", fields) + "\n    }\n  ]\n}\n";
    }

    private static IReadOnlyList<ScheduleFileError> Errors(string text, ScheduleFileFormat format)
    {
        var act = () => FaultScheduleFile.Parse(text, format, Catalogue, "incident");
        return act.Should().Throw<ScheduleFileException>().Which.Errors;
    }

    private static ScheduleFileError SingleError(string text, ScheduleFileFormat format) =>
        Errors(text, format).Should().ContainSingle().Subject;
}
