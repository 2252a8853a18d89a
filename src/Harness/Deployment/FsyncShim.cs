using System.Diagnostics;
using System.IO.MemoryMappedFiles;

namespace Chaos.Harness.Deployment;

/// <summary>
/// What makes the disk under the system's store slow to make writes durable, for the <c>slow-fsync</c> fault: a small
/// shared library (<c>fsync-delay.c</c>, beside this file) that every node of the run preloads (LD_PRELOAD, put into
/// every node by <see cref="Topology.Processes.ProcessTopology.AddNodeEnvironment"/>). It wraps <c>fsync</c> and
/// <c>fdatasync</c>: a call on a file under the run's storage directory is counted and, while <see cref="Hold"/> says so,
/// held that long before the real call runs; calls on any other file pass straight through (docs/faults.md, "Storage
/// faults"). The run builds it with the machine's C compiler into its own folder, and talks to it through a control
/// file it writes and every node maps: the delay one way, the counts the other. The counts are the shim's, that is the
/// harness's own code in the nodes: how the fault proves it took effect, never a number the system reports.
/// <para>
/// Why not a file system that delays (FUSE) or a delaying block device (dm-delay): docs/faults.md, "Storage faults".
/// Linux only (LD_PRELOAD, /proc/self/fd), and only where a C compiler is found; a run that needs it elsewhere is
/// refused before anything starts.
/// </para>
/// </summary>
public sealed class FsyncShim : IDisposable
{
    /// <summary>The variable naming the control file, for the shim.</summary>
    public const string ControlVariable = "CHAOS_FSYNC_CONTROL";

    /// <summary>The variable naming the directory whose files' syncs the shim holds.</summary>
    public const string UnderVariable = "CHAOS_FSYNC_UNDER";

    /// <summary>The shim's file name in the folder it is built into.</summary>
    public const string LibraryName = "libchaos-fsync.so";

    private const string SourceName = "fsync-delay.c";
    private const string ControlName = "control";
    private const int ControlSize = 64;
    private const long CallsOffset = 8;
    private const long HeldOffset = 16;
    private const long HeldMillisecondsOffset = 24;
    private static readonly TimeSpan CompileTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _control;
    private readonly List<int> _holds = [];
    private bool _disposed;

    private FsyncShim(string directory, string storageDirectory, MemoryMappedFile file, MemoryMappedViewAccessor control)
    {
        Directory = directory;
        StorageDirectory = storageDirectory;
        _file = file;
        _control = control;
        var library = Path.Combine(directory, LibraryName);
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD") is { Length: > 0 } theirs ? library + " " + theirs : library;
        NodeEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LD_PRELOAD"] = preload,
            [ControlVariable] = Path.Combine(directory, ControlName),
            [UnderVariable] = storageDirectory,
        };
    }

    /// <summary>Why this machine cannot build and preload the shim, or null when it can.</summary>
    public static string? Unavailable =>
        !OperatingSystem.IsLinux() ? "the slow-fsync shim is preloaded into the nodes (LD_PRELOAD), which is Linux's"
        : FindCompiler() is null ? "the slow-fsync shim is built when a run needs it, and no C compiler (CC, cc, gcc or clang) is on PATH: install gcc"
        : null;

    /// <summary>The folder the shim and its control file are in (the run's).</summary>
    public string Directory { get; }

    /// <summary>The directory whose files' syncs are held: the run's storage directory, where the system keeps its store.</summary>
    public string StorageDirectory { get; }

    /// <summary>What every node must carry for the shim to act in it.</summary>
    public IReadOnlyDictionary<string, string> NodeEnvironment { get; }

    /// <summary>Syncs of files under <see cref="StorageDirectory"/> the nodes have made since the run began, held or not.</summary>
    public long Calls => Read(CallsOffset);

    /// <summary>Of <see cref="Calls"/>, those the shim held (counted when the wait begins).</summary>
    public long Held => Read(HeldOffset);

    /// <summary>The milliseconds the shim held calls for, all calls together.</summary>
    public long HeldMilliseconds => Read(HeldMillisecondsOffset);

    /// <summary>The delay every sync under the directory gets now: the longest hold in force, or 0.</summary>
    public int DelayMilliseconds => Read32();

    /// <summary>
    /// Builds the shim from its source into <paramref name="directory"/> (created) with the machine's C compiler, and
    /// writes its control file there, delay 0. <paramref name="storageDirectory"/> must exist.
    /// </summary>
    /// <exception cref="InvalidOperationException">It cannot be built here; the message names why (the compiler's output).</exception>
    public static FsyncShim Build(string directory, string storageDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(storageDirectory);
        if (Unavailable is { } why)
        {
            throw new InvalidOperationException(why);
        }

        directory = Path.GetFullPath(directory);
        storageDirectory = Path.GetFullPath(storageDirectory);
        if (!System.IO.Directory.Exists(storageDirectory))
        {
            throw new InvalidOperationException($"the storage directory {storageDirectory} the slow-fsync shim watches does not exist");
        }

        System.IO.Directory.CreateDirectory(directory);
        var source = Path.Combine(directory, SourceName);
        using (var embedded = typeof(FsyncShim).Assembly.GetManifestResourceStream("Chaos.Harness." + SourceName)
            ?? throw new InvalidOperationException($"the harness assembly carries no {SourceName}: a broken build"))
        using (var file = new FileStream(source, FileMode.Create, FileAccess.Write))
        {
            embedded.CopyTo(file);
        }

        Compile(FindCompiler()!, source, Path.Combine(directory, LibraryName));
        var controlPath = Path.Combine(directory, ControlName);
        using (var control = new FileStream(controlPath, FileMode.CreateNew, FileAccess.Write))
        {
            control.SetLength(ControlSize);
        }

        var mapped = MemoryMappedFile.CreateFromFile(controlPath, FileMode.Open, mapName: null, ControlSize, MemoryMappedFileAccess.ReadWrite);
        try
        {
            return new FsyncShim(directory, storageDirectory, mapped, mapped.CreateViewAccessor(0, ControlSize));
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Holds every sync under the directory <paramref name="delay"/> (whole milliseconds, at least 1) until the returned
    /// hold is disposed. Holds may overlap: the longest in force applies.
    /// </summary>
    public IDisposable Hold(TimeSpan delay)
    {
        var milliseconds = (int)Math.Clamp(Math.Ceiling(delay.TotalMilliseconds), 1, int.MaxValue);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _holds.Add(milliseconds);
            Apply();
        }

        return new Release(this, milliseconds);
    }

    /// <summary>Lets every sync through at once and unmaps the control file; the files stay in the run folder.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _holds.Clear();
            Apply();
            _disposed = true;
            _control.Dispose();
            _file.Dispose();
        }
    }

    private static string? FindCompiler()
    {
        var named = Environment.GetEnvironmentVariable("CC") is { Length: > 0 } cc ? new[] { cc } : [];
        return named.Concat(["cc", "gcc", "clang"])
            .Select(name => Path.IsPathFullyQualified(name) ? (File.Exists(name) ? name : null) : Topology.Processes.ProcessTopology.FindOnPath(name))
            .FirstOrDefault(found => found is not null);
    }

    private static void Compile(string compiler, string source, string library)
    {
        var start = new ProcessStartInfo(compiler)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-shared", "-fPIC", "-O2", "-Wall", "-o", library, source, "-ldl" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start the C compiler {compiler}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CompileTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new InvalidOperationException($"the C compiler {compiler} did not build the slow-fsync shim within {CompileTimeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0 || !File.Exists(library))
        {
            var said = (output.Result + errors.Result).Trim();
            throw new InvalidOperationException($"the C compiler {compiler} could not build the slow-fsync shim (exit {process.ExitCode})" + (said.Length > 0 ? ": " + said : ""));
        }
    }

    private void End(int milliseconds)
    {
        lock (_gate)
        {
            if (!_disposed && _holds.Remove(milliseconds))
            {
                Apply();
            }
        }
    }

    private void Apply() => _control.Write(0, _holds.Count == 0 ? 0 : _holds.Max()); // under _gate

    private long Read(long offset)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _control.ReadInt64(offset); // aligned: one load, and the shim only ever adds to it
        }
    }

    private int Read32()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _control.ReadInt32(0);
        }
    }

    private sealed class Release(FsyncShim shim, int milliseconds) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                shim.End(milliseconds);
            }
        }
    }
}
