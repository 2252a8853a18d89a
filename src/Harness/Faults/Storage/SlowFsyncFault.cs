using System.Globalization;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Faults.Storage;

/// <summary>
/// <c>slow-fsync</c> on <c>sqlite</c>: the disk under the system's SQLite store is slow to make writes durable — what a
/// saturated or throttled volume, a RAID rebuild or a noisy neighbour does. Every <c>fsync</c>/<c>fdatasync</c> the nodes
/// make on a file of the store (the database, its WAL, a journal) is held <c>delayMs</c> before it runs, through the
/// run's shim (<see cref="FsyncShim"/>); other I/O is untouched. What slows is whatever waits for durability: a
/// commit in a synchronous mode that syncs it, a checkpoint, and every writer queued behind them. Heal: syncs run at
/// once. Proof: the shim held at least one of the store's syncs while the fault held (docs/faults.md, "Storage
/// faults"); a store that made none in that time (no commit or checkpoint reached the disk) is a fault that did not
/// take effect, and the scenario says so. Lets go by itself after <see cref="MaxHold"/> whatever the schedule says.
/// </summary>
public sealed class SlowFsyncFault : IFault, IFaultOutcome, IAsyncDisposable
{
    /// <summary>The schedule name.</summary>
    public const string FaultName = "slow-fsync";

    /// <summary>The only target: the run's SQLite store, in its storage directory.</summary>
    public const string SqliteTarget = "sqlite";

    /// <summary>The delay when the entry gives none.</summary>
    public const int DefaultDelayMs = 1_000;

    /// <summary>The longest the syncs are held, healed or not.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMinutes(10);

    private static readonly FaultParameter DelayParameter =
        FaultParameter.Integer("delayMs", DefaultDelayMs, 1, 60_000, "how long each fsync/fdatasync on the store's files is held before it runs, in milliseconds");

    private readonly FsyncShim _shim;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private IDisposable? _hold;
    private ITimer? _limit;
    private long _heldBefore;
    private long _callsBefore;
    private long _appliedAt;

    public SlowFsyncFault(FsyncShim shim, TimeSpan delay, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(shim);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.FromMilliseconds(1));
        _shim = shim;
        _delay = delay;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The kind, declared once (docs/faults.md, "Storage faults").</summary>
    public static FaultKind Kind { get; } = new(FaultName, "storage", SqliteTarget,
        "every fsync/fdatasync the nodes make on the SQLite store's files is held delayMs before it runs, until the heal (an LD_PRELOAD shim the run builds); other I/O is untouched",
        [DelayParameter])
    {
        Requires = [FaultCapabilities.FsyncShim],
    };

    /// <inheritdoc/>
    public string Name => FaultName;

    /// <inheritdoc/>
    public string Target => SqliteTarget;

    /// <summary>The hold of each sync.</summary>
    public TimeSpan Delay => _delay;

    /// <summary>Syncs of the store the shim held while the fault held (set at the heal).</summary>
    public long? HeldSyncs { get; private set; }

    /// <summary>Syncs of the store the nodes made while the fault held, held or not (set at the heal).</summary>
    public long? Syncs { get; private set; }

    /// <summary>How long the fault held (set at the heal).</summary>
    public TimeSpan? Held { get; private set; }

    /// <summary>True once the shim held at least one of the store's syncs while the fault held.</summary>
    public bool TookEffect => HeldSyncs > 0;

    /// <summary>Why the shim could not be told, if so.</summary>
    public string? Error { get; private set; }

    /// <inheritdoc/>
    public string? Outcome => Held is not { } held
        ? (Error is { } error ? "syncs not held: " + error : null)
        : string.Create(CultureInfo.InvariantCulture,
            $"{HeldSyncs} of the store's syncs held {_delay.TotalMilliseconds:0} ms each ({Syncs} made) over {held.TotalSeconds:0.0} s")
          + (Error is { } later ? "; " + later : "");

    /// <summary>True when the schedule names this kind: the run must build the shim before the system starts.</summary>
    public static bool NeededBy(FaultSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Entries.Any(e => e.Fault == FaultName);
    }

    /// <summary>The fault an entry describes (its <c>delayMs</c>, checked and defaulted by the kind), on the run's shim.</summary>
    public static SlowFsyncFault From(FaultScheduleEntry entry, FsyncShim shim) =>
        new(shim, TimeSpan.FromMilliseconds(Kind.Integer(entry, DelayParameter.Name) ?? DefaultDelayMs));

    /// <inheritdoc/>
    public Task ApplyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_hold is not null)
            {
                return Task.CompletedTask;
            }

            try
            {
                _heldBefore = _shim.Held;
                _callsBefore = _shim.Calls;
                _appliedAt = _time.GetTimestamp();
                _hold = _shim.Hold(_delay);
                HeldSyncs = Syncs = null;
                Held = null;
                _limit = _time.CreateTimer(_ => Release(), null, MaxHold, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException e)
            {
                Error = "the run's shim is gone: " + e.Message;
                throw new InvalidOperationException($"slow-fsync: {Error}", e);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task HealAsync(CancellationToken cancellationToken)
    {
        Release();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    private void Release()
    {
        lock (_gate)
        {
            if (_hold is null)
            {
                return;
            }

            _limit?.Dispose();
            _limit = null;
            Held = _time.GetElapsedTime(_appliedAt);
            try
            {
                HeldSyncs = _shim.Held - _heldBefore;
                Syncs = _shim.Calls - _callsBefore;
            }
            catch (ObjectDisposedException e)
            {
                Error ??= "the run's shim was gone before the heal, the counts with it: " + e.Message;
                HeldSyncs ??= 0;
                Syncs ??= 0;
            }

            _hold.Dispose();
            _hold = null;
        }
    }
}
