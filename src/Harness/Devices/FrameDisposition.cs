namespace Chaos.Harness.Devices;

/// <summary>What a device client did with a transport frame.</summary>
public enum FrameDisposition
{
    /// <summary>Next in sequence: handed to the app.</summary>
    Accepted,

    /// <summary>At or below the last sequence: a redelivery, dropped (or handed over again when duplicates are not dropped).</summary>
    Duplicate,

    /// <summary>Skipped ahead of the next sequence: dropped, and the client asked to resume from its last sequence.</summary>
    Dropped,
}
