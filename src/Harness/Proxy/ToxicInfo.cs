namespace Chaos.Harness.Proxy;

/// <summary>An active toxic as the API reports it.</summary>
/// <param name="Name">Unique within its proxy (or connection).</param>
/// <param name="Type">Toxiproxy's type name, e.g. <c>latency</c>.</param>
/// <param name="Stream">The direction it acts on.</param>
/// <param name="Toxicity">Probability that it acts on a connection.</param>
/// <param name="Attributes">Its integer attributes, e.g. <c>latency</c> and <c>jitter</c>.</param>
public sealed record ToxicInfo(string Name, string Type, ToxicStream Stream, float Toxicity, IReadOnlyDictionary<string, long> Attributes);
