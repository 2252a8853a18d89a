namespace Chaos.Harness.Topology;

/// <summary>A node spec or topology option is invalid; <see cref="Field"/> names it.</summary>
public sealed class TopologyConfigurationException : TopologyException
{
    public TopologyConfigurationException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
    }

    public TopologyConfigurationException()
    {
        Field = "";
    }

    public TopologyConfigurationException(string message)
        : base(message)
    {
        Field = "";
    }

    public TopologyConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "";
    }

    /// <summary>The name of the offending field.</summary>
    public string Field { get; }
}
