using System.Runtime.InteropServices;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// Whom a file belongs to, for the reaper's trust (docs/topology.md, "Reaper"): the state directory must be a real
/// directory of this user that no one else can write, and a state file is read only when this user owns it — a file
/// planted by someone else names pids the reaper would SIGKILL. statx(2) rather than stat(2): its layout is the same
/// on every architecture, and .NET has no API for a file's owner.
/// </summary>
internal static partial class OwnedFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;
    private const int TypeMask = 0xF000; // S_IFMT
    private const int Directory = 0x4000; // S_IFDIR
    private const int RegularFile = 0x8000; // S_IFREG
    private const int Socket = 0xC000; // S_IFSOCK
    private const int Fifo = 0x1000; // S_IFIFO
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>This process's effective user id.</summary>
    public static uint EffectiveUserId => GetEffectiveUserId();

    /// <summary>
    /// Creates <paramref name="path"/> as a directory only this user may enter (0700), or checks the one that is there:
    /// not a symbolic link, a directory, owned by this user; group or other access on a directory of ours is taken
    /// away. Throws a <see cref="TopologyException"/> naming what is wrong otherwise. Not on Linux: just creates it.
    /// </summary>
    public static void EnsurePrivateDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            System.IO.Directory.CreateDirectory(path);
            return;
        }

        if (!System.IO.Directory.Exists(path) && !File.Exists(path))
        {
            System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (Stat(path) is not { } stat)
        {
            throw new TopologyException($"the state directory {path} cannot be examined: refusing to trust the process ids in it");
        }

        if ((stat.Mode & TypeMask) != Directory)
        {
            throw new TopologyException($"the state directory {path} is not a directory (a link or a file): refusing to trust it; remove it or set another state directory");
        }

        if (stat.Uid != EffectiveUserId)
        {
            throw new TopologyException($"the state directory {path} belongs to uid {stat.Uid}, not to this user (uid {EffectiveUserId}): refusing to trust the process ids in it; remove it or set another state directory");
        }

        if (((UnixFileMode)(stat.Mode & 0x1FF) & GroupOrOther) != 0)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>True when <paramref name="path"/> is a regular file (not a link) owned by this user. Always true off Linux.</summary>
    public static bool IsOwnRegularFile(string path) =>
        !OperatingSystem.IsLinux() || (Stat(path) is { } stat && (stat.Mode & TypeMask) == RegularFile && stat.Uid == EffectiveUserId);

    /// <summary>True when <paramref name="path"/> is a socket or a named pipe (not a link) owned by this user.</summary>
    public static bool IsOwnSocketOrFifo(string path) =>
        OperatingSystem.IsLinux() && Stat(path) is { } stat && (stat.Mode & TypeMask) is Socket or Fifo && stat.Uid == EffectiveUserId;

    private static (uint Uid, int Mode)? Stat(string path)
    {
        // struct statx: stx_uid at byte 20 (u32), stx_mode at byte 28 (u16); 256 bytes in all
        Span<byte> buffer = stackalloc byte[256];
        if (StatX(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return null;
        }

        return (BitConverter.ToUInt32(buffer[20..24]), BitConverter.ToUInt16(buffer[28..30]));
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int dirFd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
