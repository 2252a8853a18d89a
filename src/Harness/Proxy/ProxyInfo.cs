namespace Chaos.Harness.Proxy;

/// <summary>A proxy as the API reports it.</summary>
/// <param name="Name">Its unique name.</param>
/// <param name="Listen">The address it listens on (the bound port once started).</param>
/// <param name="Upstream">The address it forwards to.</param>
/// <param name="Enabled">False when it is down.</param>
/// <param name="Toxics">Its active toxics.</param>
public sealed record ProxyInfo(string Name, string Listen, string Upstream, bool Enabled, IReadOnlyList<ToxicInfo> Toxics);
