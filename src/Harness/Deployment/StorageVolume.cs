using System.Globalization;
using System.Runtime.InteropServices;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Deployment;

/// <summary>
/// A file system the run owns for the system's store: a tmpfs mounted in the run folder before any node starts, so the
/// <c>storage-full</c> fault can make the system's disk full — exactly, at once, and without writing a byte of filler:
/// the volume's size is lowered to what it holds (a tmpfs remount), so every write that needs a new block fails with
/// ENOSPC, and raised back at the heal (docs/faults.md, "Storage faults"). Linux only, and only as root (mounting
/// needs CAP_SYS_ADMIN): a run that asks for it elsewhere is refused before anything starts.
/// <para>
/// Its mount source is its mark, <c>chaos-volume-&lt;harness pid&gt;-&lt;harness start time&gt;</c>, as the nodes'
/// <c>CHAOS_PARENT_PID</c> is theirs: disposing unmounts it; after a SIGKILLed harness its guard unmounts it
/// (<see cref="HarnessGuard"/>), and the reaper of the next run unmounts any volume whose harness is gone
/// (<see cref="UnmountLeftovers"/>). A mount is a leftover no process watch removes, so both look for it. What the volume
/// held goes with it: the system's database of such a run is not kept in the run folder.
/// </para>
/// </summary>
public sealed partial class StorageVolume : IDisposable
{
    /// <summary>The mark every volume's mount source starts with.</summary>
    public const string SourcePrefix = "chaos-volume-";

    /// <summary>The size a volume is mounted with unless the run says otherwise: a cap, not memory taken (tmpfs holds
    /// only what is written).</summary>
    public const long DefaultSize = 2L * 1024 * 1024 * 1024;

    private const int PageSize = 4096;
    private const ulong MsRemount = 32;
    private const ulong MsNoSuid = 2;
    private const ulong MsNoDev = 4;
    private const int MntDetach = 2;
    private const int Eperm = 1;
    private const int Einval = 22;

    private readonly Lock _gate = new();
    private bool _disposed;

    private StorageVolume(string directory, string source, long size)
    {
        Directory = directory;
        Source = source;
        Size = size;
        CurrentSize = size;
    }

    /// <summary>The mount point, in the run folder.</summary>
    public string Directory { get; }

    /// <summary>The mount source: <see cref="SourcePrefix"/> with the harness's pid and start time.</summary>
    public string Source { get; }

    /// <summary>The size it was mounted with, and returns to at <see cref="Restore"/>.</summary>
    public long Size { get; }

    /// <summary>Its size now: <see cref="Size"/>, or what it held when <see cref="Fill"/> last made it full.</summary>
    public long CurrentSize { get; private set; }

    /// <summary>Why this process cannot mount a volume here, or null when it can (Linux, root).</summary>
    public static string? Unavailable =>
        !OperatingSystem.IsLinux() ? "a storage volume is a tmpfs mount, and mounts are Linux's"
        : !ProcFs.IsAvailable ? "a storage volume needs /proc to name its harness"
        : OwnedFiles.EffectiveUserId != 0 ? "mounting the run's storage volume (a tmpfs) needs root, and the harness runs as uid " + OwnedFiles.EffectiveUserId.ToString(CultureInfo.InvariantCulture)
        : null;

    /// <summary>Mounts a tmpfs of <paramref name="size"/> bytes at <paramref name="directory"/> (created; it must be empty).</summary>
    /// <exception cref="InvalidOperationException">It cannot be mounted here; the message names why.</exception>
    public static StorageVolume Mount(string directory, long size = DefaultSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1024L * 1024);
        if (Unavailable is { } why)
        {
            throw new InvalidOperationException(why);
        }

        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        if (System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new InvalidOperationException($"the storage volume's mount point {directory} is not empty");
        }

        if (!ProcFs.TryReadStat(Environment.ProcessId, out var self))
        {
            throw new InvalidOperationException("the harness cannot read its own /proc/self/stat to mark its storage volume");
        }

        var source = Mark(Environment.ProcessId, self.StartTime);
        if (NativeMount(source, directory, "tmpfs", MsNoSuid | MsNoDev, Options(size)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException(
                $"could not mount the run's storage volume (tmpfs) at {directory}: {Describe(errno)}" + (errno == Eperm ? " (mounting needs CAP_SYS_ADMIN: root, and not a container without it)" : ""));
        }

        return new StorageVolume(directory, source, size);
    }

    /// <summary>The mount source naming the harness of pid <paramref name="pid"/> started at <paramref name="startTime"/>.</summary>
    public static string Mark(int pid, long startTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{SourcePrefix}{pid}-{startTime}");

    /// <summary>Bytes the volume's files take now (its used blocks).</summary>
    public long Used
    {
        get
        {
            var drive = new DriveInfo(Directory);
            return drive.TotalSize - drive.TotalFreeSpace;
        }
    }

    /// <summary>Bytes free now: 0 while it is full.</summary>
    public long Free => new DriveInfo(Directory).AvailableFreeSpace;

    /// <summary>
    /// Makes the volume full: its size lowered to what it holds (rounded up to a page), so any write that needs another
    /// block fails with ENOSPC. Called again it lowers it to what it holds then (a file deleted meanwhile frees space the
    /// system could use). Returns the size set.
    /// </summary>
    /// <exception cref="InvalidOperationException">The remount failed (other than a race with a growing file, retried).</exception>
    public long Fill()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var attempt = 1; ; attempt++)
            {
                var used = Math.Max(PageSize, (Used + PageSize - 1) / PageSize * PageSize);
                if (Remount(used) == 0)
                {
                    CurrentSize = used;
                    return used;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Einval || attempt == 20)
                {
                    // EINVAL: a file grew between the read and the remount (a tmpfs refuses a size below its use)
                    throw new InvalidOperationException($"could not make the storage volume at {Directory} full: {Describe(errno)}");
                }
            }
        }
    }

    /// <summary>Gives the volume back its mounted <see cref="Size"/>.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            if (_disposed || CurrentSize == Size)
            {
                return;
            }

            if (Remount(Size) != 0)
            {
                throw new InvalidOperationException($"could not give the storage volume at {Directory} its size back: {Describe(Marshal.GetLastPInvokeError())}");
            }

            CurrentSize = Size;
        }
    }

    /// <summary>Unmounts the volume (detached: a file still open lets go when it closes) and removes its mount point.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Unmount(Directory);
        }
    }

    /// <summary>
    /// Unmounts every storage volume whose harness is no longer alive (its mark names a pid that is gone, a zombie, or
    /// another process now); returns their mount points. The reaper's backstop for a SIGKILLed harness whose guard could
    /// not run. Only volumes of this machine's mount table carry such a source, and only root could have mounted them.
    /// </summary>
    public static IReadOnlyList<string> UnmountLeftovers()
    {
        var removed = new List<string>();
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/mounts"))
        {
            return removed;
        }

        foreach (var (source, target) in ReadMounts("/proc/self/mounts"))
        {
            if (ParseMark(source) is { } mark && !ProcFs.IsSameLiveProcess(mark.Pid, mark.StartTime) && Unmount(target))
            {
                removed.Add(target);
            }
        }

        return removed;
    }

    /// <summary>The harness a mount source names, or null when it is not a volume's mark.</summary>
    internal static (int Pid, long StartTime)? ParseMark(string source)
    {
        if (!source.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = source[SourcePrefix.Length..].Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (pid, start)
            : null;
    }

    /// <summary>Source and mount point of every line of a mount table (<c>/proc/self/mounts</c>: octal escapes decoded).</summary>
    internal static IEnumerable<(string Source, string Target)> ReadMounts(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(' ');
            if (fields.Length >= 2)
            {
                yield return (Unescape(fields[0]), Unescape(fields[1]));
            }
        }
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).IndexOfAnyExcept("01234567") < 0)
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool Unmount(string target)
    {
        var unmounted = NativeUnmount(target, MntDetach) == 0;
        if (unmounted)
        {
            try
            {
                System.IO.Directory.Delete(target);
            }
            catch (IOException)
            {
                // not empty (nothing of ours) or already gone: the mount is what mattered
            }
        }

        return unmounted;
    }

    private int Remount(long size) => NativeMount(Source, Directory, "tmpfs", MsRemount | MsNoSuid | MsNoDev, Options(size));

    private static string Options(long size) => string.Create(CultureInfo.InvariantCulture, $"size={size},mode=0755");

    private static string Describe(int errno) => string.Create(CultureInfo.InvariantCulture, $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeMount(string source, string target, string type, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeUnmount(string target, int flags);
}
