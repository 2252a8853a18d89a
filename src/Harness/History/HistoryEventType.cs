namespace Chaos.Harness.History;

/// <summary>The Jepsen event type: an operation starts (<see cref="Invoke"/>) and ends ok, fail or info.</summary>
public enum HistoryEventType
{
    /// <summary>The operation starts.</summary>
    Invoke,

    /// <summary>The operation definitely happened.</summary>
    Ok,

    /// <summary>The operation definitely did not happen.</summary>
    Fail,

    /// <summary>The outcome is unknown (timeout, cut connection, killed process); also nemesis and marker events.</summary>
    Info,
}
