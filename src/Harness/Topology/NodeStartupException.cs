namespace Chaos.Harness.Topology;

/// <summary>A node did not become ready; <see cref="Node"/> names it and <see cref="LogTail"/> holds its last output.</summary>
public abstract class NodeStartupException : TopologyException
{
    protected NodeStartupException(string node, string message, IReadOnlyList<string> logTail)
        : base(FormatMessage(message, logTail))
    {
        Node = node;
        LogTail = logTail;
    }

    /// <summary>The node's name.</summary>
    public string Node { get; }

    /// <summary>The last lines the node wrote before the failure.</summary>
    public IReadOnlyList<string> LogTail { get; }

    /// <summary>
    /// The harness itself stopped the start: it killed or terminated the incarnation, or paused it, while it was starting
    /// (another fault on the same node). Such a start says nothing about whether the system can start.
    /// </summary>
    public bool HarnessInterfered { get; init; }

    private static string FormatMessage(string message, IReadOnlyList<string> logTail) =>
        logTail.Count == 0
            ? message + " (it wrote nothing)"
            : message + System.Environment.NewLine + "last output:" + System.Environment.NewLine + "  " + string.Join(System.Environment.NewLine + "  ", logTail);
}
