namespace Chaos.Reference.Client;

/// <summary>What the client did with a transport frame.</summary>
public enum FrameDisposition
{
    /// <summary>Next in sequence: handed to the app.</summary>
    Accepted,

    /// <summary>At or below the last sequence: a redelivery, dropped (or handed over again when DropDuplicates is off).</summary>
    Duplicate,

    /// <summary>Skipped ahead of the next sequence: dropped, and the client asked the gateway to resume from its last sequence.</summary>
    Dropped,
}
