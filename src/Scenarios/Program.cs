using System.CommandLine;
using Chaos.Scenarios.Commands;

// The `chaos` tool. Each verb lives in Commands/<Verb>Command.cs and is registered in CommandCatalog.
// Exit codes: 0 every promise held, 1 a promise broke, 2 the run could not be carried out.
var root = new RootCommand("Chaos: failure injection and Jepsen-style checking for event-driven systems.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

// Verbs own their shutdown (SIGINT, SIGTERM, parent death): a run must heal its faults and stop its processes
// before it exits, so System.CommandLine's forced exit after a grace period is switched off.
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Bad input is exit 2 ("the run could not be carried out"), never 1 ("a promise broke").
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"chaos: {error.Message}");
    }

    await Console.Error.WriteLineAsync("see `chaos --help` (or `chaos <verb> --help`)");
    return ExitCodes.RunFailed;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
