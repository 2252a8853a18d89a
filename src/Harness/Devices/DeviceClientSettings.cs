namespace Chaos.Harness.Devices;

/// <summary>What the harness decides about one device's client; an adapter maps it onto its client's own options.</summary>
public sealed record DeviceClientSettings
{
    public required string User { get; init; }

    public required string Device { get; init; }

    /// <summary>Where the device connects: a gateway's hub, or the fault proxy in front of it.</summary>
    public required Uri Hub { get; init; }

    /// <summary>Returns a token for <see cref="User"/>; called on every connect, so it may refresh.</summary>
    public required Func<CancellationToken, ValueTask<string>> TokenProvider { get; init; }

    /// <summary>Where the app keeps its position across app restarts; null keeps it in the client (lost on restart).</summary>
    public IDevicePositionStore? Positions { get; init; }

    /// <summary>Drop redelivered frames (sequence at or below the last). False is the client-no-dedupe defect.</summary>
    public bool DropDuplicates { get; init; } = true;

    /// <summary>How long the client asks for a gap to be filled before it moves on; null waits forever.</summary>
    public TimeSpan? GapTimeout { get; init; }

    /// <summary>The connection is dead when the server is silent this long.</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How often the client pings the server.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The first pause before a reconnect try (before jitter); the pauses grow from it to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between reconnect tries.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Seed of the client's own random choices (reconnect jitter), derived from the run's seed.</summary>
    public int Seed { get; init; }
}
