namespace Chaos.Harness.Proxy.Toxics;

/// <summary>What a toxic sees of the link it acts on.</summary>
internal interface IToxicLink
{
    TimeProvider Time { get; }

    /// <summary>Seeded per connection and direction, so a run's random choices replay.</summary>
    Random Random { get; }

    CancellationToken ConnectionClosed { get; }

    Task CloseConnectionAsync();

    Task ResetConnectionAsync();
}
