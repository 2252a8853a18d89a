namespace Chaos.Reference.Hosting;

/// <summary>The Kafka topics the system expects (created by whoever runs it; see docs/reference-system.md).</summary>
internal sealed record Topics(string Prefix)
{
    /// <summary>One record per (message, recipient), keyed by recipient: chat messages and notifications share it so per-user order covers both.</summary>
    public string Fanout => Prefix + "fanout";

    /// <summary>The gateway backplane: one record per inbox row, keyed by user; every gateway instance reads all partitions.</summary>
    public string Deliveries => Prefix + "deliveries";

    public string Jobs => Prefix + "jobs";

    public string JobsDlq => Prefix + "jobs-dlq";

    public string Group(string name) => Prefix + name;
}
