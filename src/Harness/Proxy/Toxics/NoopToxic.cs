namespace Chaos.Harness.Proxy.Toxics;

/// <summary><c>noop</c>: passes everything through (Toxiproxy accepts it as a type; useful to test the API).</summary>
internal sealed class NoopToxic : ToxicBehavior
{
    public static readonly NoopToxic Instance = new();

    public override string Type => "noop";

    public override IReadOnlyList<string> AttributeNames => [];
}
