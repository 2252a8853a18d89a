using System.Globalization;
using Chaos.Harness.History;

namespace Chaos.Probe;

/// <summary><c>history-generate PATH [EVENTS] [SEED] [USERS]</c>: writes a generated valid history (for the checker
/// benchmark and CLI tests).</summary>
internal sealed class HistoryGenerateVerb : IProbeVerb
{
    public string Name => "history-generate";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: history-generate PATH [EVENTS] [SEED] [USERS]");
            return 2;
        }

        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        var events = SyntheticHistory.Generate(new SyntheticHistoryOptions
        {
            TargetEvents = Arg(1, 1_000_000),
            Seed = Arg(2, 1),
            Users = Arg(3, 100),
            DevicesPerUser = 2,
            Senders = 16,
            Accounts = 20,
        });
        await HistoryFile.WriteAllAsync(events, args[0], cancellationToken);
        await Console.Out.WriteLineAsync($"{events.Count} events -> {args[0]}");
        return 0;
    }
}
