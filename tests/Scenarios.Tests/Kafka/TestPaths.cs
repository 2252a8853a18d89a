namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>Where the programs the cross-process tests launch live.</summary>
internal static class TestPaths
{
    /// <summary>The `chaos` tool, copied next to the tests by the project reference.</summary>
    public static string ChaosDll => Path.Combine(AppContext.BaseDirectory, "chaos.dll");

    /// <summary>Chaos.Probe, built by its (non-referencing) project reference in the same configuration.</summary>
    public static string ProbeDll
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, "Chaos.Probe.dll");
            if (File.Exists(local))
            {
                return local;
            }

            // .../tests/Scenarios.Tests/bin/<Configuration>/<tfm>/
            var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = tfmDir.Parent!.Name;
            var tests = tfmDir.Parent!.Parent!.Parent!.Parent!.FullName;
            var probe = Path.Combine(tests, "Support", "Chaos.Probe", "bin", configuration, tfmDir.Name, "Chaos.Probe.dll");
            return File.Exists(probe) ? probe : throw new FileNotFoundException("Chaos.Probe.dll was not built.", probe);
        }
    }
}
