using System.Globalization;
using Npgsql;

namespace Chaos.Harness.Deployment;

/// <summary>
/// A run's own PostgreSQL database (docs/running.md, "PostgreSQL"): <c>--postgres</c> names a server and a role allowed
/// to create databases; each run creates <c>chaos_run_&lt;unix seconds&gt;_&lt;8 hex&gt;</c> on it, gives the system that one,
/// and drops it (forcing out any connection left) when the run ends. So no run sees another's rows, a storage fault
/// acts only on connections to a database the run made, and nothing is left behind. A run killed before its drop
/// leaves its database; the next run drops those older than <see cref="StaleAfter"/> that nobody is connected to.
/// </summary>
public sealed class RunDatabase : IAsyncDisposable
{
    /// <summary>The name every run database starts with.</summary>
    public const string Prefix = "chaos_run_";

    /// <summary>How old a run database with no connection must be before a later run drops it as left behind.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(6);

    private readonly string _server;
    private int _dropped;

    private RunDatabase(string server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>The connection string the system gets: the given one, with <see cref="Name"/> as its database.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Creates a run database on the server <paramref name="connectionString"/> names; an
    /// <see cref="InvalidOperationException"/> naming the server and PostgreSQL's reason when it cannot (unreachable,
    /// refused login, no CREATEDB right).
    /// </summary>
    public static async Task<RunDatabase> CreateAsync(string connectionString, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(time);
        NpgsqlConnectionStringBuilder given;
        try
        {
            given = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"--postgres is not a PostgreSQL connection string: {e.Message}", e);
        }

        // the server's maintenance database for CREATE and DROP: the run's own cannot be dropped while connected to it
        var server = new NpgsqlConnectionStringBuilder(given.ConnectionString) { Database = given.Database ?? "postgres", Pooling = false }.ConnectionString;
        var name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{time.GetUtcNow().ToUnixTimeSeconds()}_{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync(cancellationToken);
            await DropStaleAsync(connection, time, cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"--postgres: could not create the run's database on {given.Host}:{given.Port} as {given.Username}: {e.Message} (the role needs CREATEDB; docs/running.md, \"PostgreSQL\")", e);
        }

        return new RunDatabase(server, name, new NpgsqlConnectionStringBuilder(given.ConnectionString) { Database = name }.ConnectionString);
    }

    /// <summary>Why the drop failed (the server gone at the end of the run), if it did; the next run's sweep retries it.</summary>
    public string? DropError { get; private set; }

    /// <summary>Drops the database (once), closing any connection the system left; bounded to 30 s, never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _dropped, 1) != 0)
        {
            return;
        }

        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync(bound.Token);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(bound.Token);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            DropError = $"could not drop the run's database {Name}: {e.Message}";
        }
    }

    private static async Task DropStaleAsync(NpgsqlConnection connection, TimeProvider time, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().Subtract(StaleAfter).ToUnixTimeSeconds();
        var stale = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT datname FROM pg_database d WHERE datname LIKE 'chaos\\_run\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                // chaos_run_<seconds>_<hex>: only names of exactly that form, created before the cutoff
                var parts = name[Prefix.Length..].Split('_');
                if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var created) && created < cutoff
                    && parts[1].Length == 8 && parts[1].All(char.IsAsciiHexDigitLower))
                {
                    stale.Add(name);
                }
            }
        }

        foreach (var name in stale)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", connection);
            try
            {
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException)
            {
                // someone connected since, or it is not ours to drop: left as it is
            }
        }
    }
}
