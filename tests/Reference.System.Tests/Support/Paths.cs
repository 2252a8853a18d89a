namespace Chaos.Reference.Tests.Support;

/// <summary>Finds the built Reference.System.dll of the same configuration as this test assembly.</summary>
public static class Paths
{
    public static string SystemDll { get; } = Find();

    private static string Find()
    {
        var baseDir = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(baseDir.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var dir = new DirectoryInfo(baseDir);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Chaos.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is not null)
        {
            var path = Path.Combine(dir.FullName, "src", "Reference.System", "Server", "bin", configuration, "net10.0", "Reference.System.dll");
            if (File.Exists(path))
            {
                return path;
            }
        }

        var local = Path.Combine(baseDir, "Reference.System.dll");
        return File.Exists(local) ? local : throw new FileNotFoundException("Reference.System.dll not found; build the solution first");
    }
}
