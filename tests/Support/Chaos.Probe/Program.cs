using System.Reflection;
using Chaos.Probe;

var verbs = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IProbeVerb).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
    .Select(t => (IProbeVerb)Activator.CreateInstance(t)!)
    .ToDictionary(v => v.Name, StringComparer.Ordinal);

if (args.Length == 0 || !verbs.TryGetValue(args[0], out var verb))
{
    await Console.Error.WriteLineAsync($"usage: Chaos.Probe <{string.Join('|', verbs.Keys.Order())}> [args...]");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
return await verb.RunAsync(args[1..], cts.Token);
