using System.Globalization;
using System.Text;
using System.Xml;

namespace Chaos.Harness.Reports;

/// <summary>Writes <c>junit.xml</c>: a suite named <c>chaos.&lt;scenario&gt;.seed&lt;N&gt;</c> timed by the run's wall time, and
/// one test case per promise of the scenario; a broken promise is a failure carrying
/// the anomaly summary, an undecided one an error carrying the reasons, one the history did not exercise is
/// <c>&lt;skipped message="not exercised: …"&gt;</c> — or an error of type <c>not-exercised</c> when the scenario
/// required it (the verdict is then unknown, and CI must not see a pass).</summary>
public static class JUnitReport
{
    /// <summary>Writes the JUnit XML to <paramref name="stream"/>.</summary>
    public static void Write(ReportInput input, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(input);
        var outcomes = Promises.Evaluate(input.Result);
        // the seed in the name: a suite of N seeds gives N suites a CI server tells apart
        var suite = "chaos." + input.Metadata.Scenario + (input.Metadata.Seed is { } named ? $".seed{named.ToString(CultureInfo.InvariantCulture)}" : "");
        var time = input.Metadata.Elapsed is { } elapsed ? elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : null;
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var xml = XmlWriter.Create(stream, settings);
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        WriteTime(xml, time);
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", suite);
        WriteTime(xml, time);
        xml.WriteAttributeString("tests", outcomes.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", outcomes.Count(o => o.Status == PromiseStatus.Broken).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", outcomes.Count(o => o.Status == PromiseStatus.Undecided || (o.Status == PromiseStatus.NotExercised && o.Required)).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("skipped", outcomes.Count(o => o.Status == PromiseStatus.NotExercised && !o.Required).ToString(CultureInfo.InvariantCulture));
        if (input.Metadata.StartedAt is { } started)
        {
            xml.WriteAttributeString("timestamp", started.UtcDateTime.ToString("s", CultureInfo.InvariantCulture));
        }

        xml.WriteStartElement("properties");
        WriteProperty(xml, "history", input.Metadata.History);
        if (input.Metadata.Seed is { } seed)
        {
            WriteProperty(xml, "seed", seed.ToString(CultureInfo.InvariantCulture));
        }

        // the run's settings, with the command that runs it again (`reproduce`), for whoever reads a CI failure
        foreach (var (key, value) in input.Metadata.Properties)
        {
            WriteProperty(xml, key, value);
        }

        xml.WriteEndElement();
        foreach (var outcome in outcomes)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", suite);
            xml.WriteAttributeString("name", outcome.Promise.Title);
            switch (outcome.Status)
            {
                case PromiseStatus.Broken:
                    xml.WriteStartElement("failure");
                    xml.WriteAttributeString("type", string.Join(",", outcome.Broken.Select(a => a.Name)));
                    xml.WriteAttributeString("message", string.Join(", ", outcome.Broken.Select(a => $"{a.Name}: {a.Count}")));
                    var body = new StringBuilder();
                    foreach (var anomaly in outcome.Broken)
                    {
                        body.AppendLine($"{anomaly.Name}: {anomaly.Count}");
                        foreach (var example in anomaly.Examples.Take(3))
                        {
                            body.AppendLine($"  events {string.Join(", ", example.Events)}: {example.Explanation}");
                        }
                    }

                    xml.WriteString(body.ToString());
                    xml.WriteEndElement();
                    break;
                case PromiseStatus.Undecided:
                    xml.WriteStartElement("error");
                    xml.WriteAttributeString("type", "undecided");
                    xml.WriteAttributeString("message", "the checker could not decide");
                    xml.WriteString(string.Join(Environment.NewLine, outcome.UndecidedBecause));
                    xml.WriteEndElement();
                    break;
                case PromiseStatus.NotExercised when outcome.Required:
                    // required and not tested: the verdict is unknown because of it, so CI must see an error, not a skip
                    xml.WriteStartElement("error");
                    xml.WriteAttributeString("type", "not-exercised");
                    xml.WriteAttributeString("message", $"required promise {outcome.Promise.Name} was not exercised: {outcome.NotExercisedBecause}");
                    xml.WriteEndElement();
                    break;
                case PromiseStatus.NotExercised:
                    xml.WriteStartElement("skipped");
                    xml.WriteAttributeString("message", $"not exercised: {outcome.NotExercisedBecause}");
                    xml.WriteEndElement();
                    break;
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    // the whole run's wall time; a promise has none of its own (every checker reads the same history)
    private static void WriteTime(XmlWriter xml, string? time)
    {
        if (time is not null)
        {
            xml.WriteAttributeString("time", time);
        }
    }

    private static void WriteProperty(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", value);
        xml.WriteEndElement();
    }
}
