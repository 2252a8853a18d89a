using System.CommandLine;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Commands;

/// <summary><c>chaos list</c>: the scenarios with one-line descriptions, and the suites.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the scenarios and suites.");
        command.SetAction(_ =>
        {
            var width = ScenarioCatalog.All.Max(s => s.Name.Length) + 2;
            Console.WriteLine("Scenarios:");
            foreach (var scenario in ScenarioCatalog.All)
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
}
