using System.Diagnostics;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// A .NET process creates a diagnostics socket and two debugger pipes in /tmp and removes them only when it exits
/// cleanly; a child the nemesis or a cleanup SIGKILLs leaves them behind (thousands over a test suite). The harness's
/// .NET children — nodes and the Kafka host — get neither, unless the harness was started with
/// CHAOS_NODE_DIAGNOSTICS=1 on purpose (e.g. to attach dotnet-trace).
/// </summary>
internal static class ChildDiagnostics
{
    public static void TurnOff(ProcessStartInfo start)
    {
        if (Environment.GetEnvironmentVariable("CHAOS_NODE_DIAGNOSTICS") != "1")
        {
            start.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
            start.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        }
    }
}
