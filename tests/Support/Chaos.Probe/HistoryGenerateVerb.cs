using System.Globalization;
using Chaos.Harness.History;

namespace Chaos.Probe;

/// <summary><c>history-generate PATH [EVENTS] [SEED] [USERS|SHAPE]</c>: writes a generated valid history (for the checker
/// benchmark and CLI tests). SHAPE is one of <see cref="SyntheticHistoryShapes.ByName"/>; a number is the standard shape
/// with that many users.</summary>
internal sealed class HistoryGenerateVerb : IProbeVerb
{
    public string Name => "history-generate";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var usage = $"usage: history-generate PATH [EVENTS] [SEED] [USERS|SHAPE]   (shapes: {string.Join(", ", SyntheticHistoryShapes.ByName.Keys)})";
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync(usage);
            return 2;
        }

        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        SyntheticHistoryOptions shape;
        if (args.Length <= 3)
        {
            shape = SyntheticHistoryShapes.Standard;
        }
        else if (int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var users))
        {
            shape = SyntheticHistoryShapes.Standard with { Users = users };
        }
        else if (!SyntheticHistoryShapes.ByName.TryGetValue(args[3], out shape!))
        {
            await Console.Error.WriteLineAsync($"history-generate: no shape '{args[3]}'. {usage}");
            return 2;
        }

        var events = SyntheticHistory.Generate(shape with { TargetEvents = Arg(1, 1_000_000), Seed = Arg(2, 1) });
        await HistoryFile.WriteAllAsync(events, args[0], cancellationToken);
        await Console.Out.WriteLineAsync($"{events.Count} events -> {args[0]}");
        return 0;
    }
}
