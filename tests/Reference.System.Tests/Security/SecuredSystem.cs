using System.Text.RegularExpressions;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests.Security;

/// <summary>
/// One running reference system — an instance of every role — shared by the security test classes (collection
/// <see cref="Name"/>); each class uses users of its own. Its logs must stay free of errors and stack traces whatever the
/// tests throw at it (<see cref="ProblemLines"/>).
/// </summary>
public sealed partial class SecuredSystem(MockKafkaFixture kafka) : IAsyncLifetime
{
    public const string Name = "secured system";

    public SystemRun Run { get; private set; } = null!;

    public SutProcess Api { get; private set; } = null!;

    public SutProcess Gateway { get; private set; } = null!;

    public SutProcess Notifier { get; private set; } = null!;

    public SutProcess Jobs { get; private set; } = null!;

    /// <summary>The process of each role.</summary>
    public IReadOnlyDictionary<string, SutProcess> Roles => new Dictionary<string, SutProcess>
    {
        ["api"] = Api,
        ["gateway"] = Gateway,
        ["notifier"] = Notifier,
        ["jobs"] = Jobs,
    };

    public async ValueTask InitializeAsync()
    {
        Run = await SystemRun.CreateAsync(kafka.Kafka);
        Api = await Run.StartAsync("api", "api-1");
        var rest = await Task.WhenAll(Run.StartAsync("gateway", "gateway-1"), Run.StartAsync("notifier", "notifier-1"), Run.StartAsync("jobs", "jobs-1"));
        (Gateway, Notifier, Jobs) = (rest[0], rest[1], rest[2]);
        foreach (var p in Roles.Values)
        {
            await Run.WaitReadyAsync(p);
        }
    }

    /// <summary>
    /// Log lines that betray a server-side failure: an error or critical entry, an unhandled exception, or a stack
    /// frame. A refused request is the client's fault and must leave none.
    /// </summary>
    public IReadOnlyList<string> ProblemLines() =>
        [.. Run.Processes.SelectMany(p => p.Lines.Select(l => $"{p.Name}: {l}")).Where(l => Problem().IsMatch(l))];

    /// <summary>Every process of the system is still running.</summary>
    public IReadOnlyList<string> Exited() => [.. Run.Processes.Where(p => p.HasExited).Select(p => p.Name)];

    public async ValueTask DisposeAsync() => await Run.DisposeAsync();

    [GeneratedRegex(@" (fail|crit): |[Uu]nhandled|\bat [\w.`<>\[\]]+\(")]
    private static partial Regex Problem();
}
