namespace Chaos.Harness.Topology;

/// <summary>The topology could not be started or controlled: a run that hits this exits 2 ("run could not be carried out").</summary>
public class TopologyException : Exception
{
    public TopologyException()
    {
    }

    public TopologyException(string message)
        : base(message)
    {
    }

    public TopologyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
