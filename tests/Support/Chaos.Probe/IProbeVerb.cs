namespace Chaos.Probe;

/// <summary>One verb of the probe: `Chaos.Probe &lt;name&gt; args...`. Add a verb by adding a type; Program finds it.</summary>
internal interface IProbeVerb
{
    string Name { get; }

    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
