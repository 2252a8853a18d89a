using System.CommandLine;
using Chaos.Scenarios.Commands;

// The `chaos` tool. Each verb lives in Commands/<Verb>Command.cs and is registered here.
// Exit codes: 0 every promise held, 1 a promise broke, 2 the run could not be carried out.
var root = new RootCommand("Chaos: failure injection and Jepsen-style checking for event-driven systems.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
