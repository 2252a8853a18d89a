using System.Globalization;
using Chaos.Harness.Deployment;

namespace Chaos.Harness.Faults.Storage;

/// <summary>
/// <c>storage-full</c> on <c>sqlite</c>: the disk the system's SQLite store lives on is full — what a log that filled
/// the volume, a forgotten backup or a quota does. The store lives on the run's storage volume (<see cref="StorageVolume"/>,
/// a tmpfs the run mounted); the apply lowers the volume's size to what it holds, so every write that needs a new block
/// (a page appended to the database or its WAL, a journal, a temporary file) fails with ENOSPC, SQLite's SQLITE_FULL;
/// reads go on. Every <see cref="Interval"/> until the heal it is lowered again to what it holds then, so space the system
/// frees (a checkpoint that truncates the WAL) stays taken, as on a disk something else keeps filling. Heal: the volume
/// gets its size back. Proof: the volume had no byte free after a fill (docs/faults.md, "Storage faults"). Stops by
/// itself after <see cref="MaxHold"/> whatever the schedule says.
/// </summary>
public sealed class StorageFullFault : IFault, IFaultOutcome, IAsyncDisposable
{
    /// <summary>The schedule name.</summary>
    public const string FaultName = "storage-full";

    /// <summary>The only target: the run's SQLite store, on its storage volume.</summary>
    public const string SqliteTarget = "sqlite";

    /// <summary>The kind, declared once (docs/faults.md, "Storage faults").</summary>
    public static Kinds.FaultKind Kind { get; } = new(FaultName, "storage", SqliteTarget, "the disk the run's SQLite store lives on (a volume the run mounts) is full until the heal: every write that needs space fails with ENOSPC (SQLITE_FULL); reads go on")
    {
        Requires = [Kinds.FaultCapabilities.StorageVolume],
    };

    /// <summary>How often the volume is made full again while the fault holds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest the volume stays full, healed or not.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMinutes(10);

    private readonly StorageVolume _volume;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stop;
    private Task? _filling;
    private long _fills;
    private long _fullAt;

    public StorageFullFault(StorageVolume volume, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        _volume = volume;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public string Name => FaultName;

    /// <inheritdoc/>
    public string Target => SqliteTarget;

    /// <summary>True when the schedule names this kind: the run must mount a storage volume before the system starts.</summary>
    public static bool NeededBy(Schedule.FaultSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Entries.Any(e => e.Fault == FaultName);
    }

    /// <summary>How many times the volume was made full (the apply's and each refill's).</summary>
    public long Fills => Interlocked.Read(ref _fills);

    /// <summary>Bytes the volume held (its size) at the first fill.</summary>
    public long? HeldAtFill { get; private set; }

    /// <summary>Bytes free right after the first fill: 0 when the disk was full.</summary>
    public long? FreeAfterFill { get; private set; }

    /// <summary>How long the volume was kept full (set at the heal).</summary>
    public TimeSpan? Held { get; private set; }

    /// <summary>True once the volume was full: no byte free after a fill.</summary>
    public bool TookEffect => FreeAfterFill == 0;

    /// <summary>Why the volume could not be made full, or its size given back, if so.</summary>
    public string? Error { get; private set; }

    /// <inheritdoc/>
    public string? Outcome => HeldAtFill is not { } size ? (Error is { } error ? "disk not full: " + error : null)
        : string.Create(CultureInfo.InvariantCulture, $"disk full at {Mib(size)} (volume of {Mib(_volume.Size)}), {FreeAfterFill} B free; made full {Fills} times")
          + (Held is { } held ? string.Create(CultureInfo.InvariantCulture, $", held {held.TotalSeconds:0.0} s") : ", held")
          + (Error is { } later ? "; then " + later : ""); // a refill or the size's return failed after the disk was full

    /// <inheritdoc/>
    public Task ApplyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var size = _volume.Fill();
            var free = _volume.Free;
            Interlocked.Increment(ref _fills);
            lock (_gate)
            {
                HeldAtFill = size;
                FreeAfterFill = free;
                _fullAt = _time.GetTimestamp();
                _stop = new CancellationTokenSource(MaxHold, _time);
                _filling = KeepFullAsync(_stop.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            Error = e.Message;
            throw new InvalidOperationException($"storage-full: {e.Message}", e);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task HealAsync(CancellationToken cancellationToken) => await StopAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task KeepFullAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Interval, _time, cancellationToken);
                _volume.Fill();
                Interlocked.Increment(ref _fills);
            }
        }
        catch (OperationCanceledException)
        {
            // healed, or held its longest: the size is given back below
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            Error ??= e.Message; // the volume is unmounted (run over) or the remount failed: the fill stops here
        }

        if (cancellationToken.IsCancellationRequested)
        {
            Restore(); // at the heal (StopAsync's own Restore is then a no-op), or MaxHold passed without one
        }
    }

    private async Task StopAsync()
    {
        Task? filling;
        lock (_gate)
        {
            filling = _filling;
            _stop?.Cancel();
        }

        if (filling is not null)
        {
            await filling;
        }

        Restore();
        lock (_gate)
        {
            _stop?.Dispose();
            _stop = null;
        }
    }

    private void Restore()
    {
        lock (_gate)
        {
            if (_filling is null || Held is not null)
            {
                return;
            }

            Held = _time.GetElapsedTime(_fullAt);
            try
            {
                _volume.Restore();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                Error ??= e.Message;
            }
        }
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");
}
