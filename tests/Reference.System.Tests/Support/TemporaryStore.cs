using Chaos.Reference.Storage;
using Npgsql;

namespace Chaos.Reference.Tests.Support;

/// <summary>A <see cref="Store"/> on a fresh database of its own (a temporary SQLite file, or a new PostgreSQL database), removed on dispose.</summary>
internal sealed class TemporaryStore : IAsyncDisposable
{
    private readonly string _name;
    private readonly string? _postgres;

    private TemporaryStore(string name, string? postgres, string file, Database database)
    {
        _name = name;
        _postgres = postgres;
        File = file;
        Database = database;
        Store = new Store(database);
    }

    /// <summary>The SQLite file (unused on PostgreSQL).</summary>
    public string File { get; }

    public Database Database { get; }

    public Store Store { get; }

    public static async Task<TemporaryStore> CreateAsync(string backend, CancellationToken cancellationToken)
    {
        var postgres = Backend.PostgresFor(backend);
        var name = "refsys_store_" + Guid.NewGuid().ToString("N")[..10];
        var file = Path.Combine(Path.GetTempPath(), name + ".db");
        if (postgres is not null)
        {
            await using var admin = new NpgsqlConnection(postgres);
            await admin.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var database = Database.Create(postgres is null ? "sqlite:" + file : "postgres:" + new NpgsqlConnectionStringBuilder(postgres) { Database = name });
        var store = new TemporaryStore(name, postgres, file, database);
        await store.Store.EnsureSchemaAsync(cancellationToken);
        return store;
    }

    /// <summary>Runs a scalar query (tests read what was committed).</summary>
    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_postgres is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_postgres);
            await admin.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }

        foreach (var f in Directory.GetFiles(Path.GetTempPath(), _name + ".db*"))
        {
            System.IO.File.Delete(f);
        }
    }
}
