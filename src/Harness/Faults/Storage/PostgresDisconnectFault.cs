using System.Globalization;
using Npgsql;

namespace Chaos.Harness.Faults.Storage;

/// <summary>
/// <c>storage-disconnect</c> on <c>postgres</c>: the system's PostgreSQL connections are dropped, again and again — what
/// a failover, a restarted connection pooler or an idle-connection killer does. From the apply to the heal the harness
/// sweeps every <see cref="Interval"/>: it terminates (<c>pg_terminate_backend</c>) every client backend of the run's
/// database but its own, so a transaction in flight fails mid-way (SQLSTATE 57P01, the connection gone, nothing of it
/// committed) and a pooled connection is found dead at its next use (docs/faults.md, "Storage faults"). The database
/// is one the run made (<c>Deployment/RunDatabase</c>), so no one else's connection is touched. Evidence: how many
/// backends were terminated, and how many of them were inside a transaction. Stops by itself after
/// <see cref="MaxHold"/> whatever the schedule says.
/// </summary>
public sealed class PostgresDisconnectFault : IFault, IFaultOutcome, IAsyncDisposable
{
    /// <summary>The schedule name.</summary>
    public const string FaultName = "storage-disconnect";

    /// <summary>The only target: the run's PostgreSQL database.</summary>
    public const string PostgresTarget = "postgres";

    /// <summary>The kind, declared once (docs/faults.md, "Storage faults").</summary>
    public static Kinds.FaultKind Kind { get; } = new(FaultName, "storage", PostgresTarget, "the harness terminates every connection to the run's PostgreSQL database, every 100 ms until the heal: transactions in flight fail mid-way, pooled connections are found dead")
    {
        Requires = [Kinds.FaultCapabilities.PostgresStore],
    };

    /// <summary>How often the connections are swept.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest the sweeps go on, healed or not.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMinutes(10);

    // every client backend of this database but the sweeper's own: terminated, and whether it was inside a transaction
    private const string Sweep = """
        SELECT count(*) FILTER (WHERE terminated), count(*) FILTER (WHERE terminated AND in_transaction)
        FROM (SELECT pg_terminate_backend(pid) AS terminated, xact_start IS NOT NULL AS in_transaction
              FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend') AS s
        """;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stop;
    private Task? _sweeping;
    private long _terminated;
    private long _inTransaction;
    private long _sweeps;

    public PostgresDisconnectFault(string connectionString, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "chaos storage-disconnect" }.ConnectionString;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public string Name => FaultName;

    /// <inheritdoc/>
    public string Target => PostgresTarget;

    /// <summary>Connections of the system terminated so far.</summary>
    public long Terminated => Interlocked.Read(ref _terminated);

    /// <summary>Of those, the ones inside a transaction when terminated.</summary>
    public long InTransaction => Interlocked.Read(ref _inTransaction);

    /// <summary>Sweeps run so far.</summary>
    public long Sweeps => Interlocked.Read(ref _sweeps);

    /// <summary>True once a connection of the system was dropped: the fault took effect.</summary>
    public bool TookEffect => Terminated > 0;

    /// <summary>Why the sweeps could not start or stopped early, if they did.</summary>
    public string? Error { get; private set; }

    /// <inheritdoc/>
    public string? Outcome => Sweeps == 0 && Error is null ? null
        : string.Create(CultureInfo.InvariantCulture, $"{Terminated} connections of the system terminated in {Sweeps} sweeps, {InTransaction} of them inside a transaction")
          + (Error is { } error ? "; " + error : "");

    /// <inheritdoc/>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await SweepAsync(connection, cancellationToken); // the first at once: a refused login or right shows here
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Error = "could not sweep: " + e.Message;
            await connection.DisposeAsync();
            throw new InvalidOperationException($"storage-disconnect: {Error}", e);
        }
        catch (OperationCanceledException)
        {
            await connection.DisposeAsync();
            throw;
        }

        lock (_gate)
        {
            _stop = new CancellationTokenSource(MaxHold, _time);
            _sweeping = SweepUntilStoppedAsync(connection, _stop.Token);
        }
    }

    /// <inheritdoc/>
    public async Task HealAsync(CancellationToken cancellationToken)
    {
        CancellationTokenSource? stop;
        Task? sweeping;
        lock (_gate)
        {
            (stop, sweeping) = (_stop, _sweeping);
            (_stop, _sweeping) = (null, null);
        }

        if (stop is null)
        {
            return;
        }

        await stop.CancelAsync();
        await sweeping!;
        stop.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await HealAsync(CancellationToken.None);

    private async Task SweepUntilStoppedAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        await using (connection)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(Interval, _time, stop);
                    await SweepAsync(connection, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // healed, or MaxHold passed
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                Error = "sweeps stopped early: " + e.Message; // the server went away: nothing left to drop
            }
        }
    }

    private async Task SweepAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var sweep = new NpgsqlCommand(Sweep, connection);
        await using var reader = await sweep.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            Interlocked.Add(ref _terminated, reader.GetInt64(0));
            Interlocked.Add(ref _inTransaction, reader.GetInt64(1));
        }

        Interlocked.Increment(ref _sweeps);
    }
}
