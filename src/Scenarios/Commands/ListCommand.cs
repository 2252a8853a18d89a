using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Chaos.Harness.Faults.Schedule;
using Chaos.Scenarios.Catalog;
using Chaos.Scenarios.Verify;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>chaos list</c>: the scenarios with one-line descriptions, and the suites. <c>--json</c> prints the same
/// catalogue for a machine — scenarios with their faults and targets, every suite's runs with the command that runs
/// each (so CI can shard a suite into a build matrix), the defect switches with the scenario that must catch each,
/// and the fault kinds with their parameters (docs/running.md, "Sharding a suite in CI"; the CI samples that read it: docs/ci.md).
/// </summary>
internal static class ListCommand
{
    /// <summary>The value of the JSON's <c>format</c> field; <c>version</c> rises when a field changes meaning.</summary>
    public const string FormatName = "chaos-list";

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the catalogue as JSON (scenarios, suites and their runs, defects, fault kinds)." };
        var faults = new Option<bool>("--faults") { Description = "List the fault kinds a schedule or incident file may name: family, target, parameters with their defaults and ranges." };
        var command = new Command("list", "List the scenarios and suites (--faults: the fault kinds).") { json, faults };
        command.SetAction(parse =>
        {
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(Json());
                return ExitCodes.Valid;
            }

            if (parse.GetValue(faults))
            {
                Console.Write(FaultTable());
                return ExitCodes.Valid;
            }

            var width = ScenarioCatalog.Everything.Max(s => s.Name.Length) + 2;
            Console.WriteLine("Scenarios:");
            foreach (var scenario in ScenarioCatalog.All)
            {
                Console.WriteLine($"  {scenario.Name.PadRight(width)}{scenario.Description} (default {scenario.DefaultDuration.TotalSeconds:0}s)");
            }

            Console.WriteLine("Exploratory (nightly only, false-alarm rate still measured):");
            foreach (var scenario in ScenarioCatalog.Exploratory)
            {
                Console.WriteLine($"  {scenario.Name.PadRight(width)}{scenario.Description} (default {scenario.DefaultDuration.TotalSeconds:0}s)");
            }

            Console.WriteLine("Suites:");
            foreach (var suite in ScenarioCatalog.Suites.Values)
            {
                Console.WriteLine($"  {suite.Name.PadRight(width)}{suite.Description}");
            }

            return ExitCodes.Valid;
        });
        return command;
    }

    /// <summary>The catalogue as UTF-8 JSON, ending in a newline; the same bytes every time.</summary>
    internal static byte[] Json()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", 1);

            w.WriteStartArray("scenarios");
            foreach (var scenario in ScenarioCatalog.Everything)
            {
                w.WriteStartObject();
                w.WriteString("name", scenario.Name);
                w.WriteString("description", scenario.Description);
                w.WriteBoolean("exploratory", ScenarioCatalog.IsExploratory(scenario));
                w.WriteString("defaultDuration", DurationText.Format(scenario.DefaultDuration));
                w.WriteStartArray("faults");
                var catalogue = scenario.Catalogue;
                foreach (var fault in catalogue.Faults)
                {
                    w.WriteStartObject();
                    w.WriteString("name", fault);
                    WriteStrings(w, "targets", catalogue.TargetsOf(fault));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                WriteStrings(w, "catches", DetectionMatrix.Expectations.Where(e => e.Scenario == scenario.Name).Select(e => e.Defect));
                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WriteStartArray("suites");
            foreach (var suite in ScenarioCatalog.Suites.Values)
            {
                w.WriteStartObject();
                w.WriteString("name", suite.Name);
                w.WriteString("description", suite.Description);
                w.WriteNumber("seeds", suite.Seeds);
                w.WriteString("command", $"chaos run --suite {suite.Name}");
                w.WriteStartArray("runs");
                foreach (var (scenario, seed) in suite.Runs(ScenarioCatalog.ScenariosOf(suite), baseSeed: 1))
                {
                    var duration = suite.Duration ?? scenario.DefaultDuration;
                    w.WriteStartObject();
                    w.WriteString("scenario", scenario.Name);
                    w.WriteNumber("seed", seed);
                    w.WriteString("duration", DurationText.Format(duration));
                    w.WriteString("command", $"chaos run {scenario.Name} --seed {seed} --duration {DurationText.Format(duration)}");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WriteStartArray("defects");
            foreach (var defect in RunCommand.KnownDefects)
            {
                w.WriteStartObject();
                w.WriteString("name", defect);
                w.WriteStartArray("caughtBy");
                foreach (var expectation in DetectionMatrix.Expectations.Where(e => e.Defect == defect))
                {
                    w.WriteStartObject();
                    w.WriteString("scenario", expectation.Scenario);
                    WriteStrings(w, "anomalies", expectation.Anomalies);
                    w.WriteString("command", $"chaos run {expectation.Scenario} --defect {defect}");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();

            WriteStrings(w, "faultKinds", ScenarioCatalog.Everything.SelectMany(s => s.Catalogue.Faults).Distinct().Order(StringComparer.Ordinal));

            // every kind as declared (FaultKinds): what an incident file may write, and what each parameter takes
            w.WriteStartArray("faults");
            foreach (var kind in FaultKinds.Registry.All)
            {
                w.WriteStartObject();
                w.WriteString("name", kind.Name);
                w.WriteString("family", kind.Family);
                w.WriteString("target", kind.Target);
                w.WriteString("summary", kind.Summary);
                w.WriteStartArray("parameters");
                foreach (var parameter in kind.Parameters)
                {
                    w.WriteStartObject();
                    w.WriteString("name", parameter.Name);
                    w.WriteString("range", parameter.Range);
                    if (parameter.Default is { } value)
                    {
                        w.WriteString("default", value);
                    }

                    w.WriteBoolean("required", parameter.Required);
                    w.WriteString("description", parameter.Description);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The fault kinds by family, each with its target and parameters, as <c>chaos list --faults</c> prints them.</summary>
    internal static string FaultTable()
    {
        var text = new StringBuilder();
        foreach (var family in FaultKinds.Registry.All.GroupBy(k => k.Family))
        {
            text.Append(CultureInfo.InvariantCulture, $"{family.Key} faults:\n");
            foreach (var kind in family)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {kind.Name}: {kind.Summary}\n");
                text.Append(CultureInfo.InvariantCulture, $"      target: {kind.Target}\n");
                foreach (var p in kind.Parameters)
                {
                    var given = p.Required ? "required" : p.Default is { } d ? $"default {d}" : "optional";
                    text.Append(CultureInfo.InvariantCulture, $"      {p.Name} ({p.Range}; {given}): {p.Description}\n");
                }
            }
        }

        return text.ToString();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
