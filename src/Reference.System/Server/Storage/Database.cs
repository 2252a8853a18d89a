using System.Data.Common;

namespace Chaos.Reference.Storage;

/// <summary>
/// The storage seam: connections, a write transaction, and the few places SQLite and PostgreSQL differ.
/// Everything else (SQL in <see cref="Store"/>) is written once for both.
/// </summary>
internal abstract class Database : IAsyncDisposable
{
    public abstract string Kind { get; }

    /// <summary>Column definition of an auto-increment primary key.</summary>
    public abstract string IdentityColumn { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A transaction that holds the write lock from its start (SQLite: BEGIN IMMEDIATE), so read-then-write is serialized.</summary>
    public abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Serializes outbox appends so outbox id order equals commit order (PostgreSQL advisory lock; SQLite has one writer anyway).</summary>
    public abstract Task SerializeAsync(DbTransaction transaction, long lockId, CancellationToken cancellationToken);

    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>Runs the schema script once per process start; idempotent and safe when several processes start together.</summary>
    public abstract Task EnsureSchemaAsync(string script, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary><c>sqlite:/path/file.db</c> or <c>postgres:Host=...;Username=...</c>.</summary>
    public static Database Create(string spec)
    {
        if (spec.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            return new SqliteDatabase(spec["sqlite:".Length..]);
        }

        if (spec.StartsWith("postgres:", StringComparison.Ordinal) || spec.StartsWith("postgresql:", StringComparison.Ordinal))
        {
            return new PostgresDatabase(spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        }

        throw new ArgumentException($"--db must be sqlite:/path/file.db or postgres:CONNECTION-STRING (got '{spec}')", nameof(spec));
    }
}
