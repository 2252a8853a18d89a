namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// The one place that knows where things live in the app image (deploy/containers/build-images.sh,
/// deploy/containers/Dockerfile) and maps a node's host command (<c>dotnet /host/path/x.dll ...</c>, as
/// <see cref="ToolLocator"/> builds it) onto it: the dotnet host is the image's <c>dotnet</c> on PATH,
/// <c>chaos.dll</c> is <c>/opt/chaos/chaos.dll</c> and <c>Reference.System.dll</c> is
/// <c>/opt/chaos/sut/Reference.System.dll</c>. Any other .dll or executable runs from its host folder, mounted
/// read-only at the same path (tests' probes; or every binary with <see cref="MountHostBinaries"/>).
/// </summary>
public sealed class ContainerImageLayout
{
    /// <summary>Where the chaos tool lives in the image.</summary>
    public const string ChaosDirectory = "/opt/chaos";

    /// <summary>Image paths by the host file name of the .dll.</summary>
    private static readonly Dictionary<string, string> ImagePaths = new(StringComparer.Ordinal)
    {
        ["chaos.dll"] = ChaosDirectory + "/chaos.dll",
        ["Reference.System.dll"] = ChaosDirectory + "/sut/Reference.System.dll",
    };

    /// <summary>Run the host's builds (mounted read-only) instead of the image's copies: no image rebuild after a code change.</summary>
    public bool MountHostBinaries { get; init; }

    /// <summary>Maps <paramref name="spec"/>'s command (after placeholder substitution) into the image.</summary>
    public ContainerCommand Map(NodeSpec spec, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(arguments);
        var mounts = new List<string>();
        var isDotnet = Path.GetFileNameWithoutExtension(spec.FileName).Equals("dotnet", StringComparison.Ordinal);
        if (isDotnet && arguments.Count > 0 && arguments[0].EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            var dll = arguments[0];
            if (!MountHostBinaries && ImagePaths.TryGetValue(Path.GetFileName(dll), out var inImage))
            {
                dll = inImage;
            }
            else
            {
                dll = Path.GetFullPath(dll);
                mounts.Add(Path.GetDirectoryName(dll)!);
            }

            return new ContainerCommand(["dotnet", dll, .. arguments.Skip(1)], mounts);
        }

        if (isDotnet)
        {
            return new ContainerCommand(["dotnet", .. arguments], mounts);
        }

        if (Path.IsPathRooted(spec.FileName))
        {
            mounts.Add(Path.GetDirectoryName(spec.FileName)!);
        }

        return new ContainerCommand([spec.FileName, .. arguments], mounts);
    }
}
