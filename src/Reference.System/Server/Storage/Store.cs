using System.Collections.Concurrent;
using System.Data.Common;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;

namespace Chaos.Reference.Storage;

/// <summary>Every query of the system, written once for SQLite and PostgreSQL.</summary>
internal sealed class Store(Database db)
{
    private const long OutboxLockId = 7_000_002;
    private const int KnownUsersBound = 100_000;

    private readonly ConcurrentDictionary<string, byte> _knownUsers = new(StringComparer.Ordinal);

    public Database Database => db;

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => db.EnsureSchemaAsync(Schema.Script(db), cancellationToken);

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ScalarAsync(null, "SELECT 1", cancellationToken);
    }

    // ---- users

    public async Task RegisterUserAsync(string user, long now, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecAsync(null, "INSERT INTO users (id, created_at) VALUES (@id, @now) ON CONFLICT (id) DO NOTHING", cancellationToken, ("id", user), ("now", now));
        RememberUser(user);
    }

    /// <summary>Registers the user if new and sets (or replaces) the hash of its secret; true when the user is new.</summary>
    public async Task<bool> RegisterWithSecretAsync(string user, string secretHash, long now, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        var created = await c.ExecAsync(tx, "INSERT INTO users (id, created_at) VALUES (@id, @now) ON CONFLICT (id) DO NOTHING", cancellationToken, ("id", user), ("now", now)) > 0;
        await c.ExecAsync(tx, "INSERT INTO credentials (user_id, secret_hash, updated_at) VALUES (@id, @hash, @now) ON CONFLICT (user_id) DO UPDATE SET secret_hash = @hash, updated_at = @now",
            cancellationToken, ("id", user), ("hash", secretHash), ("now", now));
        await tx.CommitAsync(cancellationToken);
        RememberUser(user);
        return created;
    }

    /// <summary>The stored hash of the user's secret; null for a user without one (or no such user).</summary>
    public async Task<string?> SecretHashAsync(string user, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ScalarAsync(null, "SELECT secret_hash FROM credentials WHERE user_id = @id", cancellationToken, ("id", user)) as string;
    }

    /// <summary>
    /// The users of <paramref name="users"/> that do not exist. Users are only ever created (nothing deletes one), so a
    /// user once seen stays known: the cache answers most writes without a query. Bounded, so a flood of distinct names
    /// cannot grow it without limit; past the bound, the extra names are simply looked up each time.
    /// </summary>
    public async Task<IReadOnlyList<string>> UnknownUsersAsync(IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        var unseen = users.Where(u => !_knownUsers.ContainsKey(u)).Distinct(StringComparer.Ordinal).ToList();
        if (unseen.Count == 0)
        {
            return [];
        }

        await using var c = await db.OpenAsync(cancellationToken);
        var names = unseen.Select((_, i) => "@u" + i).ToArray();
        var known = (await c.QueryAsync(null, $"SELECT id FROM users WHERE id IN ({string.Join(',', names)})", r => r.GetString(0), cancellationToken,
            [.. unseen.Select((u, i) => ("u" + i, (object?)u))])).ToHashSet(StringComparer.Ordinal);
        foreach (var user in known)
        {
            RememberUser(user);
        }

        return [.. unseen.Where(u => !known.Contains(u))];
    }

    private void RememberUser(string user)
    {
        if (_knownUsers.Count < KnownUsersBound)
        {
            _knownUsers.TryAdd(user, 0);
        }
    }

    // ---- messages and the outbox

    /// <summary>Persists a message, its fan-out outbox rows (one per recipient) and its idempotency record in one transaction.</summary>
    public async Task<WriteOutcome> CreateMessageAsync(
        string idempotencyKey, string requestHash, string messageId, string kind, string? sender, string? conversation,
        IReadOnlyList<string> recipients, string payload, long now, string fanoutTopic, bool keyed, CancellationToken cancellationToken)
    {
        var write = new MessageWrite(idempotencyKey, requestHash, messageId, kind, sender, conversation, recipients, payload, now, fanoutTopic, keyed);
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        await db.SerializeAsync(tx, OutboxLockId, cancellationToken);
        var outcome = await WriteMessageAsync(c, tx, write, cancellationToken);
        if (outcome.Status == WriteStatus.Created)
        {
            await tx.CommitAsync(cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// Group commit: many messages in ONE transaction (one write lock, one fsync), each with exactly the outcome
    /// <see cref="CreateMessageAsync"/> would give it alone, in list order — so a key repeated within the batch is
    /// Created once, then Replayed (same hash) or Conflict (another hash), as if the requests had come one after
    /// another. Each item runs inside its own savepoint: an item that throws is rolled back alone and gets its
    /// exception, its batch-mates still commit. A failure of the transaction itself throws for all.
    /// </summary>
    public async Task<IReadOnlyList<BatchItemOutcome>> WriteBatchAsync(IReadOnlyList<MessageWrite> writes, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        await db.SerializeAsync(tx, OutboxLockId, cancellationToken);
        var outcomes = new BatchItemOutcome[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            await tx.SaveAsync("item", cancellationToken);
            try
            {
                outcomes[i] = new BatchItemOutcome(await WriteMessageAsync(c, tx, writes[i], cancellationToken), null);
                await tx.ReleaseAsync("item", cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                FailurePaths.WriteItemRolledBack.Hit();
                await tx.RollbackAsync("item", cancellationToken);
                outcomes[i] = new BatchItemOutcome(null, e);
            }
        }

        await tx.CommitAsync(cancellationToken);
        return outcomes;
    }

    private static async Task<WriteOutcome> WriteMessageAsync(DbConnection c, DbTransaction tx, MessageWrite w, CancellationToken cancellationToken)
    {
        var replay = await ReplayAsync(c, tx, "message", w.IdempotencyKey, w.RequestHash, cancellationToken);
        if (replay is not null)
        {
            return replay;
        }

        var exists = await c.ScalarAsync(tx, "SELECT 1 FROM messages WHERE id = @id", cancellationToken, ("id", w.MessageId));
        if (exists is not null)
        {
            return new WriteOutcome(WriteStatus.Conflict, $"message id '{w.MessageId}' already exists under another idempotency key");
        }

        await c.ExecAsync(tx, "INSERT INTO messages (id, kind, sender, conversation, recipients, payload, created_at) VALUES (@id, @kind, @sender, @conv, @rcpt, @payload, @now)",
            cancellationToken, ("id", w.MessageId), ("kind", w.Kind), ("sender", w.Sender), ("conv", w.Conversation), ("rcpt", string.Join(',', w.Recipients)), ("payload", w.Payload), ("now", w.Now));
        foreach (var user in w.Recipients)
        {
            var record = new FanoutRecord(w.MessageId, w.Kind, user, w.Sender, w.Conversation, w.Payload, w.Now);
            await AppendOutboxAsync(c, tx, w.FanoutTopic, w.Keyed ? user : null, Json.Serialize(record), w.Now, cancellationToken, w.TraceParent);
        }

        var result = Json.Serialize(new { id = w.MessageId });
        await c.ExecAsync(tx, "INSERT INTO idempotency (scope, idem_key, request_hash, result, created_at) VALUES ('message', @k, @h, @r, @now)",
            cancellationToken, ("k", w.IdempotencyKey), ("h", w.RequestHash), ("r", result), ("now", w.Now));
        return new WriteOutcome(WriteStatus.Created, result);
    }

    public async Task<WriteOutcome> CreateJobAsync(string idempotencyKey, string requestHash, JobRecord job, long now, string jobsTopic, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        await db.SerializeAsync(tx, OutboxLockId, cancellationToken);
        var replay = await ReplayAsync(c, tx, "job", idempotencyKey, requestHash, cancellationToken);
        if (replay is not null)
        {
            return replay;
        }

        var exists = await c.ScalarAsync(tx, "SELECT 1 FROM jobs WHERE job_key = @k", cancellationToken, ("k", job.Key));
        if (exists is not null)
        {
            return new WriteOutcome(WriteStatus.Conflict, $"job '{job.Key}' already exists under another idempotency key");
        }

        await c.ExecAsync(tx, "INSERT INTO jobs (job_key, account, amount, transaction_id, state, created_at, updated_at) VALUES (@k, @a, @m, @t, 'queued', @now, @now)",
            cancellationToken, ("k", job.Key), ("a", job.Account), ("m", job.Amount), ("t", job.TransactionId), ("now", now));
        await AppendOutboxAsync(c, tx, jobsTopic, job.Account, Json.Serialize(job), now, cancellationToken);
        var result = Json.Serialize(new { key = job.Key });
        await c.ExecAsync(tx, "INSERT INTO idempotency (scope, idem_key, request_hash, result, created_at) VALUES ('job', @k, @h, @r, @now)",
            cancellationToken, ("k", idempotencyKey), ("h", requestHash), ("r", result), ("now", now));
        await tx.CommitAsync(cancellationToken);
        return new WriteOutcome(WriteStatus.Created, result);
    }

    private static async Task<WriteOutcome?> ReplayAsync(DbConnection c, DbTransaction tx, string scope, string key, string hash, CancellationToken cancellationToken)
    {
        var rows = await c.QueryAsync(tx, "SELECT request_hash, result FROM idempotency WHERE scope = @s AND idem_key = @k",
            r => (Hash: r.GetString(0), Result: r.GetString(1)), cancellationToken, ("s", scope), ("k", key));
        if (rows.Count == 0)
        {
            return null;
        }

        return rows[0].Hash == hash
            ? new WriteOutcome(WriteStatus.Replayed, rows[0].Result)
            : new WriteOutcome(WriteStatus.Conflict, $"idempotency key '{key}' was already used for a different request");
    }

    private static Task AppendOutboxAsync(DbConnection c, DbTransaction tx, string topic, string? key, string value, long now, CancellationToken cancellationToken,
        string? traceParent = null) =>
        c.ExecAsync(tx, "INSERT INTO outbox (topic, msg_key, value, created_at, trace_parent) VALUES (@t, @k, @v, @now, @tp)", cancellationToken,
            ("t", topic), ("k", key), ("v", value), ("now", now), ("tp", traceParent));

    public async Task<List<OutboxRow>> ReadOutboxAsync(int limit, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.QueryAsync(null, "SELECT id, topic, msg_key, value, trace_parent FROM outbox ORDER BY id LIMIT @n",
            r => new OutboxRow(r.GetInt64(0), r.GetString(1), r.StringOrNull(2), r.GetString(3), r.StringOrNull(4)), cancellationToken, ("n", limit));
    }

    public async Task<long> OutboxBacklogAsync(CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return Convert.ToInt64(await c.ScalarAsync(null, "SELECT COUNT(*) FROM outbox", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes published rows. Safe as a range because appends are serialized: no lower id can still commit later.</summary>
    public async Task DeleteOutboxThroughAsync(long id, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        await c.ExecAsync(tx, "DELETE FROM outbox WHERE id <= @id", cancellationToken, ("id", id));
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Takes or renews a named lease; true when <paramref name="holder"/> holds it until now + ttl.</summary>
    public async Task<bool> TryLeaseAsync(string name, string holder, long now, long ttlMs, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        var changed = await c.ExecAsync(tx,
            "INSERT INTO leases (name, holder, expires_at) VALUES (@n, @h, @e) ON CONFLICT (name) DO UPDATE SET holder = @h, expires_at = @e WHERE leases.holder = @h OR leases.expires_at < @now",
            cancellationToken, ("n", name), ("h", holder), ("e", now + ttlMs), ("now", now));
        await tx.CommitAsync(cancellationToken);
        return changed == 1;
    }

    // ---- inbox

    /// <summary>
    /// Assigns the recipient's next sequence number and writes the inbox row in one transaction. A second write with the
    /// same (user, dedupe key) returns the first row's sequence and <c>duplicate = true</c>.
    /// </summary>
    public async Task<(long Seq, bool Duplicate)> AppendInboxAsync(FanoutRecord record, string dedupeKey, int partition, long now, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        try
        {
            await using var tx = await db.BeginWriteAsync(c, cancellationToken);
            var existing = await c.ScalarAsync(tx, "SELECT seq FROM inbox WHERE user_id = @u AND dedupe_key = @k", cancellationToken, ("u", record.User), ("k", dedupeKey));
            if (existing is not null)
            {
                return (Convert.ToInt64(existing, System.Globalization.CultureInfo.InvariantCulture), true);
            }

            var seq = Convert.ToInt64(await c.ScalarAsync(tx,
                "INSERT INTO user_seq (user_id, last_seq) VALUES (@u, 1) ON CONFLICT (user_id) DO UPDATE SET last_seq = user_seq.last_seq + 1 RETURNING last_seq",
                cancellationToken, ("u", record.User)), System.Globalization.CultureInfo.InvariantCulture);
            await c.ExecAsync(tx,
                "INSERT INTO inbox (user_id, seq, message_id, dedupe_key, kind, sender, conversation, payload, sent_at, stored_at, source_partition) VALUES (@u, @s, @m, @k, @kind, @sender, @conv, @p, @sent, @now, @part)",
                cancellationToken, ("u", record.User), ("s", seq), ("m", record.MessageId), ("k", dedupeKey), ("kind", record.Kind), ("sender", record.Sender),
                ("conv", record.Conversation), ("p", record.Payload), ("sent", record.SentAt), ("now", now), ("part", partition));
            await tx.CommitAsync(cancellationToken);
            return (seq, false);
        }
        catch (Exception e) when (db.IsUniqueViolation(e))
        {
            // A concurrent writer (a zombie consumer of the same partition) won the race: the row exists now.
            var seq = await c.ScalarAsync(null, "SELECT seq FROM inbox WHERE user_id = @u AND dedupe_key = @k", cancellationToken, ("u", record.User), ("k", dedupeKey));
            return (Convert.ToInt64(seq, System.Globalization.CultureInfo.InvariantCulture), true);
        }
    }

    /// <summary>
    /// The same as <see cref="AppendInboxAsync"/> for a whole batch in one transaction (one write-lock acquisition instead
    /// of one per record, which is what keeps SQLite's single writer from queueing the api behind the notifiers).
    /// <paramref name="afterEach"/> runs after each record whose rows are new (not for one already in the inbox), before
    /// the commit: a crash there interrupts real effects, not a redelivery that would add none. Returns null when a
    /// concurrent writer hit a unique key (nothing committed): the caller then goes record by record.
    /// </summary>
    public async Task<List<(long Seq, bool Duplicate)>?> TryAppendInboxBatchAsync(
        IReadOnlyList<(FanoutRecord Record, string DedupeKey, int Partition)> items, long now, Func<int, ValueTask> afterEach, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        try
        {
            await using var tx = await db.BeginWriteAsync(c, cancellationToken);
            var results = new List<(long, bool)>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                var (record, dedupeKey, partition) = items[i];
                var existing = await c.ScalarAsync(tx, "SELECT seq FROM inbox WHERE user_id = @u AND dedupe_key = @k", cancellationToken, ("u", record.User), ("k", dedupeKey));
                if (existing is not null)
                {
                    results.Add((Convert.ToInt64(existing, System.Globalization.CultureInfo.InvariantCulture), true));
                }
                else
                {
                    var seq = Convert.ToInt64(await c.ScalarAsync(tx,
                        "INSERT INTO user_seq (user_id, last_seq) VALUES (@u, 1) ON CONFLICT (user_id) DO UPDATE SET last_seq = user_seq.last_seq + 1 RETURNING last_seq",
                        cancellationToken, ("u", record.User)), System.Globalization.CultureInfo.InvariantCulture);
                    await c.ExecAsync(tx,
                        "INSERT INTO inbox (user_id, seq, message_id, dedupe_key, kind, sender, conversation, payload, sent_at, stored_at, source_partition) VALUES (@u, @s, @m, @k, @kind, @sender, @conv, @p, @sent, @now, @part)",
                        cancellationToken, ("u", record.User), ("s", seq), ("m", record.MessageId), ("k", dedupeKey), ("kind", record.Kind), ("sender", record.Sender),
                        ("conv", record.Conversation), ("p", record.Payload), ("sent", record.SentAt), ("now", now), ("part", partition));
                    results.Add((seq, false));
                    await afterEach(i); // only after a new row: a record already in the inbox adds no effect to interrupt
                }
            }

            await tx.CommitAsync(cancellationToken);
            return results;
        }
        catch (Exception e) when (db.IsUniqueViolation(e))
        {
            return null;
        }
    }

    /// <summary>Whether the user's inbox already holds the message (under any dedupe key).</summary>
    public async Task<bool> InboxHoldsAsync(string user, string messageId, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.ScalarAsync(null, "SELECT 1 FROM inbox WHERE user_id = @u AND message_id = @m LIMIT 1", cancellationToken, ("u", user), ("m", messageId)) is not null;
    }

    public async Task<List<DeliveryRecord>> ReadInboxAsync(string user, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.QueryAsync(null,
            "SELECT message_id, seq, kind, sender, conversation, payload, sent_at FROM inbox WHERE user_id = @u AND seq > @a ORDER BY seq LIMIT @n",
            r => new DeliveryRecord(r.GetString(0), user, r.GetInt64(1), r.GetString(2), r.StringOrNull(3), r.StringOrNull(4), r.GetString(5), r.GetInt64(6)),
            cancellationToken, ("u", user), ("a", afterSeq), ("n", limit));
    }

    public async Task<long> LatestSeqAsync(string user, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var v = await c.ScalarAsync(null, "SELECT last_seq FROM user_seq WHERE user_id = @u", cancellationToken, ("u", user));
        return v is null ? 0 : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    // ---- jobs

    public async Task<JobView?> GetJobAsync(string key, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var jobs = await c.QueryAsync(null, "SELECT account, amount, transaction_id, state, reason FROM jobs WHERE job_key = @k",
            r => (Account: r.GetString(0), Amount: r.GetInt64(1), Tx: r.GetString(2), State: r.GetString(3), Reason: r.StringOrNull(4)), cancellationToken, ("k", key));
        if (jobs.Count == 0)
        {
            return null;
        }

        var attempts = await c.QueryAsync(null, "SELECT attempt, at_ms, outcome, instance FROM job_attempts WHERE job_key = @k ORDER BY id",
            r => new JobAttempt(Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), r.GetInt64(1), r.GetString(2), r.GetString(3)), cancellationToken, ("k", key));
        var j = jobs[0];
        return new JobView(key, j.Account, j.Amount, j.Tx, j.State, j.Reason, attempts);
    }

    /// <summary>
    /// Write-ahead for one attempt of a job: takes the job's next attempt number (counted across deliveries and
    /// instances) and stores it as <c>started</c> before the downstream is called, so a crash after the call cannot
    /// lose the count. Returns null, storing nothing, when the job already made <paramref name="budget"/> attempts.
    /// The job's row is locked first (PostgreSQL; SQLite has one writer) so two deliveries never take the same number.
    /// </summary>
    public async Task<int?> ReserveAttemptAsync(string key, int budget, long atMs, string instance, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        await c.ExecAsync(tx, "UPDATE jobs SET updated_at = updated_at WHERE job_key = @k", cancellationToken, ("k", key));
        var made = Convert.ToInt32(
            await c.ScalarAsync(tx, "SELECT COALESCE(MAX(attempt), 0) FROM job_attempts WHERE job_key = @k", cancellationToken, ("k", key)),
            System.Globalization.CultureInfo.InvariantCulture);
        if (made >= budget)
        {
            return null;
        }

        await c.ExecAsync(tx, "INSERT INTO job_attempts (job_key, attempt, at_ms, outcome, instance) VALUES (@k, @a, @t, 'started', @i)",
            cancellationToken, ("k", key), ("a", made + 1), ("t", atMs), ("i", instance));
        await tx.CommitAsync(cancellationToken);
        return made + 1;
    }

    /// <summary>Stores how a reserved attempt ended (<c>ok</c>, <c>transient: ...</c>, <c>permanent: ...</c>).</summary>
    public async Task CompleteAttemptAsync(string key, int attempt, string outcome, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecAsync(null, "UPDATE job_attempts SET outcome = @o WHERE job_key = @k AND attempt = @a",
            cancellationToken, ("o", outcome), ("k", key), ("a", attempt));
    }

    /// <summary>The effect and its idempotency record in one transaction: false when the transaction id was already applied.</summary>
    public async Task<bool> ApplyCreditAsync(JobRecord job, long now, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        try
        {
            var inserted = await c.ExecAsync(tx, "INSERT INTO applied_transactions (transaction_id, account, amount, applied_at) VALUES (@t, @a, @m, @now) ON CONFLICT (transaction_id) DO NOTHING",
                cancellationToken, ("t", job.TransactionId), ("a", job.Account), ("m", job.Amount), ("now", now));
            if (inserted == 0)
            {
                await MarkJobAsync(c, tx, job.Key, "done", null, now, cancellationToken);
                await tx.CommitAsync(cancellationToken);
                return false;
            }

            await CreditAsync(c, tx, job, cancellationToken);
            await MarkJobAsync(c, tx, job.Key, "done", null, now, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (db.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>Defect non-atomic-effect: check, credit and commit; the idempotency record is written later, separately.</summary>
    public async Task<bool> CreditWithoutRecordAsync(JobRecord job, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var applied = await c.ScalarAsync(null, "SELECT 1 FROM applied_transactions WHERE transaction_id = @t", cancellationToken, ("t", job.TransactionId));
        if (applied is not null)
        {
            return false;
        }

        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        await CreditAsync(c, tx, job, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    public async Task RecordAppliedAsync(JobRecord job, long now, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        await c.ExecAsync(tx, "INSERT INTO applied_transactions (transaction_id, account, amount, applied_at) VALUES (@t, @a, @m, @now) ON CONFLICT (transaction_id) DO NOTHING",
            cancellationToken, ("t", job.TransactionId), ("a", job.Account), ("m", job.Amount), ("now", now));
        await MarkJobAsync(c, tx, job.Key, "done", null, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private static Task CreditAsync(DbConnection c, DbTransaction tx, JobRecord job, CancellationToken cancellationToken) =>
        c.ExecAsync(tx, "INSERT INTO accounts (id, balance) VALUES (@a, @m) ON CONFLICT (id) DO UPDATE SET balance = accounts.balance + @m",
            cancellationToken, ("a", job.Account), ("m", job.Amount));

    private static Task MarkJobAsync(DbConnection c, DbTransaction tx, string key, string state, string? reason, long now, CancellationToken cancellationToken) =>
        c.ExecAsync(tx, "UPDATE jobs SET state = @s, reason = @r, updated_at = @now WHERE job_key = @k", cancellationToken, ("s", state), ("r", reason), ("now", now), ("k", key));

    public async Task MarkJobAsync(string key, string state, string? reason, long now, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await c.ExecAsync(null, "UPDATE jobs SET state = @s, reason = @r, updated_at = @now WHERE job_key = @k", cancellationToken, ("s", state), ("r", reason), ("now", now), ("k", key));
    }

    /// <summary>Dead-letters a job: the DLQ row and the job's terminal state in one transaction.</summary>
    public async Task DeadLetterAsync(string? key, string reason, string payload, long now, string instance, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(c, cancellationToken);
        if (key is not null)
        {
            var already = await c.ScalarAsync(tx, "SELECT 1 FROM dlq WHERE job_key = @k", cancellationToken, ("k", key));
            if (already is not null)
            {
                return;
            }

            await MarkJobAsync(c, tx, key, "dead", reason, now, cancellationToken);
        }

        await c.ExecAsync(tx, "INSERT INTO dlq (job_key, reason, payload, at_ms, instance) VALUES (@k, @r, @p, @now, @i)",
            cancellationToken, ("k", key), ("r", reason), ("p", payload), ("now", now), ("i", instance));
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<List<DlqEntry>> ReadDlqAsync(CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        return await c.QueryAsync(null, "SELECT id, job_key, reason, payload, at_ms, instance FROM dlq ORDER BY id",
            r => new DlqEntry(r.GetInt64(0), r.StringOrNull(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5)), cancellationToken);
    }

    public async Task<long?> BalanceAsync(string account, CancellationToken cancellationToken)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var v = await c.ScalarAsync(null, "SELECT balance FROM accounts WHERE id = @a", cancellationToken, ("a", account));
        return v is null ? null : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
    }
}
