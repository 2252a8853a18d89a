namespace Chaos.Reference.Client;

/// <summary>Settings of one device's <see cref="ChatClient"/>.</summary>
public sealed class ChatClientOptions
{
    /// <summary>The gateway hub, e.g. http://127.0.0.1:5001/hub (a TCP fault proxy may stand in front).</summary>
    public required Uri HubUrl { get; init; }

    /// <summary>Returns a JWT for <see cref="User"/> (called on every connect, so it may refresh).</summary>
    public required Func<CancellationToken, ValueTask<string>> TokenProvider { get; init; }

    public required string User { get; init; }

    public required string Device { get; init; }

    public ISequenceStore SequenceStore { get; init; } = new InMemorySequenceStore();

    /// <summary>Drop redelivered frames (seq at or below the last). False re-creates the client-no-dedupe defect.</summary>
    public bool DropDuplicates { get; init; } = true;

    /// <summary>Reconnect by itself after a cut (exponential backoff with jitter).</summary>
    public bool AutoReconnect { get; init; } = true;

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The connection is considered dead when the server is silent this long (the server pings at a third of its own timeout).</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the client keeps asking the gateway to fill a gap (frames that skip ahead are dropped and a resume is
    /// requested) before it gives up, accepts the next frame and moves on; null waits forever. A correct gateway fills
    /// a gap at once, so this only matters when it does not: the app then shows the gap (a skip and undelivered
    /// messages) instead of stalling.
    /// </summary>
    public TimeSpan? GapTimeout { get; init; }

    /// <summary>
    /// Acks are cumulative (the gateway keeps the highest sequence acked): the client sends the latest at most once per
    /// interval instead of once per frame, as mobile clients batch them. Zero acks every frame.
    /// </summary>
    public TimeSpan AckInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The hub's method names: the server calls <see cref="HubMethods.Deliver"/>, the client
    /// <see cref="HubMethods.Ack"/> and <see cref="HubMethods.Resume"/>. A system speaking the same protocol under other
    /// names says them (docs/systems.md, "Nodes without code").</summary>
    public HubMethods Methods { get; init; } = HubMethods.Reference;

    /// <summary>Seed of the reconnect jitter.</summary>
    public int Seed { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>The names of the hub's three methods (docs/reference-system.md, "The hub").</summary>
public sealed record HubMethods(string Deliver, string Ack, string Resume)
{
    /// <summary>The reference system's: Deliver, Ack, Resume.</summary>
    public static HubMethods Reference { get; } = new("Deliver", "Ack", "Resume");
}
