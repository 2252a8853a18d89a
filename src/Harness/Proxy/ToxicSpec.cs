namespace Chaos.Harness.Proxy;

/// <summary>A toxic to add: build one with <see cref="Toxic"/>'s factories.</summary>
/// <param name="Type">Toxiproxy's type name.</param>
/// <param name="Attributes">The type's integer attributes.</param>
public sealed record ToxicSpec(string Type, IReadOnlyDictionary<string, long> Attributes)
{
    /// <summary>Defaults to <c>{type}_{stream}</c>, as Toxiproxy names it.</summary>
    public string? Name { get; init; }

    public ToxicStream Stream { get; init; } = ToxicStream.Downstream;

    /// <summary>Probability (0..1) that the toxic acts on a given connection.</summary>
    public float Toxicity { get; init; } = 1f;

    /// <summary>The name the server will give it.</summary>
    public string EffectiveName => Name ?? $"{Type}_{(Stream == ToxicStream.Upstream ? "upstream" : "downstream")}";
}
