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

IDisposable? telemetry;
try
{
    // OTLP export of the harness's spans and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/running.md)
    telemetry = TelemetryExport.FromEnvironment(Environment.GetEnvironmentVariable);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"chaos: {e.Message}");
    return ExitCodes.RunFailed;
}

try
{
    using (telemetry)
    {
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
    }
}
catch (Exception e)
{
    // An exception no verb handled is a run that could not be carried out (2), never a broken promise (1), which
    // System.CommandLine's own handler would have answered — a mutant that made the api's reads fail once did that.
    await Console.Error.WriteLineAsync($"chaos: internal error, the run could not be carried out: {e}");
    return ExitCodes.RunFailed;
}
