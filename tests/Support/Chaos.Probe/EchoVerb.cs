namespace Chaos.Probe;

/// <summary>Prints its arguments and exits 0: proves the probe starts.</summary>
internal sealed class EchoVerb : IProbeVerb
{
    public string Name => "echo";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        await Console.Out.WriteLineAsync(string.Join(' ', args).AsMemory(), cancellationToken);
        return 0;
    }
}
