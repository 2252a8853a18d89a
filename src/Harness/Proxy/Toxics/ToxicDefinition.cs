namespace Chaos.Harness.Proxy.Toxics;

/// <summary>
/// One toxic as configured through the API: immutable. An update replaces the definition (same name) and retires
/// the old one, which interrupts the old one's waits so data is never held back by a toxic that is gone.
/// </summary>
internal sealed class ToxicDefinition
{
    private readonly long[] _attributes;
    private readonly CancellationTokenSource _retired = new();

    public ToxicDefinition(string name, ToxicBehavior behavior, ToxicStream stream, float toxicity, long[] attributes, bool perConnection = false)
    {
        if (attributes.Length != behavior.AttributeNames.Count)
        {
            throw new ArgumentException("One value per attribute name is required.", nameof(attributes));
        }

        Name = name;
        Behavior = behavior;
        Stream = stream;
        Toxicity = toxicity;
        _attributes = attributes;
        PerConnection = perConnection;
    }

    public string Name { get; }

    /// <summary>Set on a connection's own toxic (our extension); its name may repeat a proxy toxic's.</summary>
    public bool PerConnection { get; }

    /// <summary>Unique within one connection's chain: proxy and connection toxics may share a name.</summary>
    public string Key => PerConnection ? "connection/" + Name : Name;

    public ToxicBehavior Behavior { get; }

    public string Type => Behavior.Type;

    public ToxicStream Stream { get; }

    /// <summary>Probability (0..1) that the toxic acts on a given connection.</summary>
    public float Toxicity { get; }

    public IReadOnlyList<long> Attributes => _attributes;

    /// <summary>Cancelled when the toxic is removed or replaced by an update.</summary>
    public CancellationToken Retired => _retired.Token;

    public long Attribute(string name)
    {
        for (var i = 0; i < _attributes.Length; i++)
        {
            if (string.Equals(Behavior.AttributeNames[i], name, StringComparison.Ordinal))
            {
                return _attributes[i];
            }
        }

        throw new ArgumentOutOfRangeException(nameof(name), name, $"toxic type {Type} has no such attribute");
    }

    public ToxicDefinition With(float toxicity, long[] attributes) => new(Name, Behavior, Stream, toxicity, attributes, PerConnection);

    public ToxicDefinition ForConnection() => new(Name, Behavior, Stream, Toxicity, _attributes, perConnection: true);

    public void Retire() => _retired.Cancel();
}
