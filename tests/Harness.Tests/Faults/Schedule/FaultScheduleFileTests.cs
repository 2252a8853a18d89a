using System.Text;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Tests.Faults.Schedule;

public sealed class FaultScheduleFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Serialize_Schedule_WritesTheDocumentedFormat()
    {
        var schedule = new FaultSchedule(
            [
                new FaultScheduleEntry(TimeSpan.FromMilliseconds(12_500), "network-latency", "gateway-1", TimeSpan.FromSeconds(3), new Dictionary<string, string> { ["latency"] = "500ms", ["jitter"] = "50ms" }),
                new FaultScheduleEntry(TimeSpan.FromSeconds(2), "process-kill", "api-1"),
            ],
            TimeSpan.FromMinutes(1))
        {
            Scenario = "service-crash",
            Seed = 42,
        };

        var text = Encoding.UTF8.GetString(FaultScheduleFile.Serialize(schedule));

        text.Should().Be(
            """
            {
              "format": "chaos-fault-schedule",
              "version": 1,
              "scenario": "service-crash",
              "seed": 42,
              "duration": "1m",
              "faults": [
                {
                  "at": "2s",
                  "fault": "process-kill",
                  "target": "api-1"
                },
                {
                  "at": "12s500ms",
                  "fault": "network-latency",
                  "target": "gateway-1",
                  "duration": "3s",
                  "parameters": {
                    "jitter": "50ms",
                    "latency": "500ms"
                  }
                }
              ]
            }

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Parse_SerializedSchedule_RoundTrips()
    {
        var original = FaultScheduleGenerator.Generate(FaultScheduleGeneratorTests.Menu, 9, TimeSpan.FromMinutes(1), scenario: "smoke");
        var bytes = FaultScheduleFile.Serialize(original);

        var loaded = FaultScheduleFile.Parse(Encoding.UTF8.GetString(bytes), ScheduleFileFormat.Json, FaultScheduleGeneratorTests.Menu.ToCatalogue());

        loaded.Should().Be(original);
        FaultScheduleFile.Serialize(loaded).Should().Equal(bytes);
    }

    [Fact]
    public async Task SaveAsync_ThenLoadAsync_RoundTripsThroughAFile()
    {
        var directory = Directory.CreateTempSubdirectory("chaos-schedule-");
        try
        {
            var path = Path.Combine(directory.FullName, "schedule.json");
            var original = FaultScheduleGenerator.Generate(FaultScheduleGeneratorTests.Menu, 10, TimeSpan.FromMinutes(1));

            await FaultScheduleFile.SaveAsync(original, path, Ct);
            var loaded = await FaultScheduleFile.LoadAsync(path, cancellationToken: Ct);

            loaded.Should().Be(original);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
