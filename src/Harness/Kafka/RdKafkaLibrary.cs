using System.Reflection;
using System.Runtime.InteropServices;

namespace Chaos.Harness.Kafka;

/// <summary>
/// Binds this assembly's <c>librdkafka</c> imports to the native library Confluent.Kafka loaded.
/// Confluent picks one of several builds at run time (on Debian 12 the default build needs
/// libsasl2.so.3 and it falls back to <c>centos8-librdkafka.so</c>); a second copy of librdkafka
/// in the process would own its own globals, so we find the file already mapped and load exactly it.
/// </summary>
internal static class RdKafkaLibrary
{
    private static readonly Lock Gate = new();
    private static nint handle;

    /// <summary>The path of the librdkafka file in use, once <see cref="EnsureLoaded"/> ran.</summary>
    internal static string? LoadedPath { get; private set; }

    internal static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (handle != 0)
            {
                return;
            }

            // Makes Confluent.Kafka choose and load its build; a no-op when it already did.
            Confluent.Kafka.Library.Load();
            var path = FindMappedLibrary()
                ?? throw new KafkaMockException(
                    "Confluent.Kafka loaded librdkafka, but its file was not found in /proc/self/maps; the embedded Kafka needs Linux.");
            handle = NativeLibrary.Load(path);
            LoadedPath = path;
            NativeLibrary.SetDllImportResolver(typeof(RdKafkaLibrary).Assembly, Resolve);
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == RdKafkaNative.LibraryName ? handle : 0;

    private static string? FindMappedLibrary()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // "address perms offset dev inode path": the path is the sixth field and may hold spaces.
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            var path = line[slash..];
            var file = Path.GetFileName(path);
            if (file.EndsWith("librdkafka.so", StringComparison.Ordinal) || file.StartsWith("librdkafka.so.", StringComparison.Ordinal))
            {
                return path;
            }
        }

        return null;
    }
}
