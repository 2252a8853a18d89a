using System.CommandLine;

namespace Chaos.Scenarios.Commands;

/// <summary>Every verb of the <c>chaos</c> tool, in the order <c>chaos --help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return ListCommand.Create();
        yield return RunCommand.Create();
        yield return VerifyCommand.Create();
        yield return CapacityCommand.Create();
        yield return ReplayCommand.Create();
        yield return KafkaCommand.Create();
        yield return CheckCommand.Create();
        yield return CoverageCommand.Create();
        yield return ProxyCommand.Create();
    }
}
