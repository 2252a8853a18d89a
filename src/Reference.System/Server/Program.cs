using Chaos.Reference.Hosting;

// One executable, four roles: see docs/reference-system.md.
var options = SystemOptions.FromArgs(args, Environment.GetEnvironmentVariables(), out var error);
if (options is null)
{
    await Console.Error.WriteLineAsync($"error: {error}");
    return 2;
}

ParentWatcher.Start();
return await SystemHost.RunAsync(options);
