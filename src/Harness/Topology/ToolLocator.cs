using System.Reflection;

namespace Chaos.Harness.Topology;

/// <summary>
/// Finds what the topology launches: the <c>chaos</c> tool itself (for <c>chaos kafka</c>) and Reference.System.
/// Both are framework-dependent .dlls started with the dotnet host.
/// </summary>
public static class ToolLocator
{
    /// <summary>Overrides the path of chaos.dll.</summary>
    public const string ToolDllVariable = "CHAOS_TOOL_DLL";

    /// <summary>Overrides the path of Reference.System.dll.</summary>
    public const string SutDllVariable = "CHAOS_SUT_DLL";

    /// <summary><c>dotnet &lt;path&gt;/chaos.dll</c>: env CHAOS_TOOL_DLL, else the entry assembly when it is chaos, else chaos.dll next to the harness.</summary>
    public static LaunchCommand ChaosTool()
    {
        var dll = FindChaosDll(out var searched) ?? throw new ToolNotFoundException("chaos.dll", searched);
        return new LaunchCommand(DotnetHost(), [dll]);
    }

    /// <summary><c>dotnet &lt;path&gt;/Reference.System.dll</c>: env CHAOS_SUT_DLL, else <c>sut/Reference.System.dll</c> in the chaos output folder.</summary>
    public static LaunchCommand ReferenceSystem()
    {
        var searched = new List<string>();
        if (Environment.GetEnvironmentVariable(SutDllVariable) is { Length: > 0 } fromEnv)
        {
            searched.Add($"{SutDllVariable}={fromEnv}");
            return File.Exists(fromEnv)
                ? new LaunchCommand(DotnetHost(), [Path.GetFullPath(fromEnv)])
                : throw new ToolNotFoundException("Reference.System.dll", searched);
        }

        var dirs = new List<string>();
        if (FindChaosDll(out _) is { } chaosDll)
        {
            dirs.Add(Path.GetDirectoryName(chaosDll)!);
        }

        dirs.Add(AppContext.BaseDirectory);
        foreach (var dir in dirs.Distinct())
        {
            var candidate = Path.Combine(dir, "sut", "Reference.System.dll");
            searched.Add(candidate);
            if (File.Exists(candidate))
            {
                return new LaunchCommand(DotnetHost(), [candidate]);
            }
        }

        throw new ToolNotFoundException("Reference.System.dll", searched);
    }

    /// <summary>The dotnet host: the running one when this process is hosted by dotnet, else DOTNET_HOST_PATH, else <c>dotnet</c> on PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }

    private static string? FindChaosDll(out List<string> searched)
    {
        searched = [];
        if (Environment.GetEnvironmentVariable(ToolDllVariable) is { Length: > 0 } fromEnv)
        {
            searched.Add($"{ToolDllVariable}={fromEnv}");
            return File.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        }

        if (Assembly.GetEntryAssembly() is { } entry && entry.GetName().Name == "chaos" && entry.Location.Length > 0)
        {
            return entry.Location;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "chaos.dll");
        searched.Add(beside);
        return File.Exists(beside) ? beside : null;
    }
}
