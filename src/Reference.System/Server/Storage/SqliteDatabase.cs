using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Chaos.Reference.Storage;

/// <summary>
/// One SQLite file shared by every process of a run: WAL (readers never block the writer), a busy timeout
/// (writers queue instead of failing), synchronous=NORMAL (durable against a process crash, which is what
/// the harness injects; not against power loss).
/// </summary>
internal sealed class SqliteDatabase(string path) : Database
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public override string Kind => "sqlite";

    public override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken); // Microsoft.Data.Sqlite: BEGIN IMMEDIATE unless deferred

    public override Task SerializeAsync(DbTransaction transaction, long lockId, CancellationToken cancellationToken) => Task.CompletedTask;

    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19 }; // SQLITE_CONSTRAINT

    public override async Task EnsureSchemaAsync(string script, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = script;
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
