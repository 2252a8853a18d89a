namespace Chaos.Scenarios.Tests;

/// <summary>Files of this repository (docs, incidents, samples) that tests read, found from the test binaries upwards.</summary>
internal static class RepoFiles
{
    /// <summary>The directory holding Chaos.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The path of an existing file under <see cref="Root"/>; <see cref="FileNotFoundException"/> naming it when it is not there.</summary>
    public static string File(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        return System.IO.File.Exists(path) ? path : throw new FileNotFoundException($"{string.Join('/', parts)} not found under {Root}", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Chaos.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Chaos.sln above {AppContext.BaseDirectory}");
    }
}
