using System.Reflection;

namespace Chaos.Harness.Deployment;

/// <summary>
/// Loads the <see cref="ISystemAdapter"/> a system file names (<c>adapter:</c>, docs/systems.md): an assembly built
/// against the harness's public API that holds exactly one public, non-abstract <see cref="ISystemAdapter"/> with a
/// public parameterless constructor. The assembly runs inside the <c>chaos</c> process, as a test project's code runs
/// inside its test host: it is code the user chose to run, named on the command line, never found by searching.
/// </summary>
/// <remarks>
/// Loaded with <see cref="Assembly.LoadFrom(string)"/>: the harness's own assemblies (<c>Chaos.Harness</c> and what it
/// uses) resolve to the copies already loaded, so the adapter's types are the harness's types; what only the adapter
/// uses resolves from the adapter's folder.
/// </remarks>
public static class AdapterAssembly
{
    /// <summary>The adapter in the assembly at <paramref name="path"/>, whose <see cref="ISystemAdapter.Name"/> must be
    /// <paramref name="expectedName"/> (the system file's <c>system:</c>).</summary>
    /// <exception cref="ArgumentException">The file is missing, not an assembly, holds no adapter or several, the adapter
    /// cannot be made, or its name differs; the message names which.</exception>
    public static ISystemAdapter Load(string path, string expectedName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(expectedName);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ArgumentException($"adapter {full}: no such file (build the adapter first: dotnet build -c Release)", nameof(path));
        }

        Assembly assembly;
        Type[] types;
        try
        {
            assembly = Assembly.LoadFrom(full);
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException)
        {
            throw new ArgumentException($"adapter {full}: cannot load it as a .NET assembly built for this harness ({e.Message})", nameof(path), e);
        }

        var adapters = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ISystemAdapter).IsAssignableFrom(t)).ToArray();
        if (adapters.Length != 1)
        {
            throw new ArgumentException(
                adapters.Length == 0
                    ? $"adapter {full}: holds no public class implementing {nameof(ISystemAdapter)} (of Chaos.Harness {typeof(ISystemAdapter).Assembly.GetName().Version})"
                    : $"adapter {full}: holds {adapters.Length} adapters ({string.Join(", ", adapters.Select(t => t.FullName))}); an adapter assembly holds one",
                nameof(path));
        }

        var type = adapters[0];
        if (type.GetConstructor(Type.EmptyTypes) is not { } constructor)
        {
            throw new ArgumentException($"adapter {type.FullName} in {full}: has no public parameterless constructor", nameof(path));
        }

        ISystemAdapter adapter;
        try
        {
            adapter = (ISystemAdapter)constructor.Invoke(null);
        }
        catch (TargetInvocationException e)
        {
            throw new ArgumentException($"adapter {type.FullName} in {full}: its constructor threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}", nameof(path), e);
        }

        return adapter.Name == expectedName
            ? adapter
            : throw new ArgumentException($"adapter {type.FullName} in {full}: is the system '{adapter.Name}', and the system file says '{expectedName}'", nameof(path));
    }
}
