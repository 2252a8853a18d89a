namespace Chaos.Harness.Kafka;

/// <summary>How <see cref="EmbeddedKafkaHost"/> launches <c>chaos kafka</c>.</summary>
public sealed record EmbeddedKafkaHostOptions
{
    /// <summary>The program, e.g. <c>dotnet</c>.</summary>
    public required string FileName { get; init; }

    /// <summary>Its arguments, e.g. <c>[".../chaos.dll", "kafka", "--brokers", "3"]</c>.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>How long to wait for the <c>bootstrap:</c> line.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a graceful shutdown may take on dispose before the process tree is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many of the host's last stderr lines a failure report carries.</summary>
    public int StandardErrorTailLines { get; init; } = 40;

    /// <summary>Receives every stdout line of the host (e.g. to write it into the run folder).</summary>
    public Action<string>? StandardOutput { get; init; }

    /// <summary>Receives every stderr line of the host.</summary>
    public Action<string>? StandardError { get; init; }
}
