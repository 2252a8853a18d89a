namespace Chaos.Reference.Storage;

/// <summary>The whole schema, created idempotently at every process start. Times are Unix milliseconds.</summary>
internal static class Schema
{
    public static string Script(Database db) => $"""
        CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, created_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS credentials (user_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS idempotency (scope TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,
            result TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (scope, idem_key));
        CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, kind TEXT NOT NULL, sender TEXT, conversation TEXT,
            recipients TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox (id {db.IdentityColumn}, topic TEXT NOT NULL, msg_key TEXT, value TEXT NOT NULL,
            created_at BIGINT NOT NULL, trace_parent TEXT);
        CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS user_seq (user_id TEXT PRIMARY KEY, last_seq BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS inbox (user_id TEXT NOT NULL, seq BIGINT NOT NULL, message_id TEXT NOT NULL,
            dedupe_key TEXT NOT NULL, kind TEXT NOT NULL, sender TEXT, conversation TEXT, payload TEXT NOT NULL,
            sent_at BIGINT NOT NULL, stored_at BIGINT NOT NULL, source_partition INTEGER NOT NULL,
            PRIMARY KEY (user_id, seq), UNIQUE (user_id, dedupe_key));
        CREATE TABLE IF NOT EXISTS jobs (job_key TEXT PRIMARY KEY, account TEXT NOT NULL, amount BIGINT NOT NULL,
            transaction_id TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS job_attempts (id {db.IdentityColumn}, job_key TEXT NOT NULL, attempt INTEGER NOT NULL,
            at_ms BIGINT NOT NULL, outcome TEXT NOT NULL, instance TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS job_attempts_by_key ON job_attempts (job_key);
        CREATE TABLE IF NOT EXISTS applied_transactions (transaction_id TEXT PRIMARY KEY, account TEXT NOT NULL,
            amount BIGINT NOT NULL, applied_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS dlq (id {db.IdentityColumn}, job_key TEXT, reason TEXT NOT NULL, payload TEXT NOT NULL,
            at_ms BIGINT NOT NULL, instance TEXT NOT NULL);
        """;
}
