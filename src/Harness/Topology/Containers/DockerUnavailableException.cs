namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// The containers topology cannot run here: no Docker engine answers, or the image is missing. The message says
/// what is missing and how to get it. A run that hits this exits 2 before anything starts.
/// </summary>
public sealed class DockerUnavailableException : TopologyException
{
    public DockerUnavailableException(string message)
        : base(message)
    {
    }

    public DockerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
