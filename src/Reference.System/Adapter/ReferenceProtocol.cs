using System.Net.Http.Headers;
using Chaos.Harness.Deployment;

namespace Chaos.Reference.Adapter;

/// <summary>
/// What <see cref="ReferenceSystemApi"/> needs of a deployment that speaks the reference protocol (docs/reference-system.md,
/// "HTTP api"): where its api instances are, the harness's credential, the paths, the Kafka groups whose lag the drain
/// waits for. The reference system's (<see cref="Of(ReferenceSystemDeployment)"/>), or a declared system's, whose file
/// says its paths (<see cref="DeclaredSystemAdapter"/>; docs/systems.md, "Nodes without code").
/// </summary>
internal sealed record ReferenceProtocol
{
    /// <summary>The api instances' base URLs, as they are now (a scale-out may add some).</summary>
    public required Func<IReadOnlyList<Uri>> ApiUrls { get; init; }

    /// <summary>The harness's own credential (<c>Authorization: AdminKey …</c>).</summary>
    public required Func<AuthenticationHeaderValue> AdminAuthorization { get; init; }

    public required string BootstrapServers { get; init; }

    /// <summary>The groups whose lag the drain waits to reach zero.</summary>
    public required IReadOnlyList<KafkaConsumerGroup> ConsumerGroups { get; init; }

    /// <summary>Whether the consumers hold their partitions (the steady phase waits for it).</summary>
    public required Func<CancellationToken, Task<bool>> ConsumersAssigned { get; init; }

    /// <summary>The topic the jobs' dead letters go to; null: the system has none (the read answers null).</summary>
    public string? DeadLetterTopic { get; init; }

    public string TokenPath { get; init; } = "/token";

    public string MessagesPath { get; init; } = "/messages";

    public string NotificationsPath { get; init; } = "/notifications";

    /// <summary>A user's inbox; <c>{user}</c> stands for the user.</summary>
    public string InboxPath { get; init; } = "/users/{user}/inbox";

    /// <summary>The inbox path of <paramref name="user"/>.</summary>
    public string InboxOf(string user) => InboxPath.Replace("{user}", Uri.EscapeDataString(user), StringComparison.Ordinal);

    /// <summary>The reference system's: its api role, its admin key, its groups and dead-letter topic; the consumers
    /// hold partitions when every notifier and jobs instance reports some in its metrics.</summary>
    public static ReferenceProtocol Of(ReferenceSystemDeployment sut)
    {
        ArgumentNullException.ThrowIfNull(sut);
        return new ReferenceProtocol
        {
            ApiUrls = () => sut.ApiUrls,
            AdminAuthorization = sut.Credentials.AdminAuthorization,
            BootstrapServers = sut.BootstrapServers,
            ConsumerGroups = sut.Kafka.ConsumerGroups,
            DeadLetterTopic = ReferenceSystemOptions.DeadLetterTopic,
            ConsumersAssigned = async cancellationToken =>
            {
                var metrics = await Task.WhenAll(sut.Notifiers.Concat(sut.Jobs).Select(n => RoleMetrics.TryReadAsync(n, cancellationToken)));
                return metrics.All(m => m is not null && m.Gauge("refsys.consumer.partitions") > 0);
            },
        };
    }
}
