using Chaos.Reference.Storage;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests.Api;

/// <summary>
/// <see cref="Store.WriteBatchAsync"/>, on each back-end: one transaction for many writes, and for each write exactly
/// the outcome the single-write path gives it.
/// </summary>
public sealed class StoreWriteBatchTests
{
    internal static MessageWrite Write(string key, string id, string[] to, string body = "hi", string hash = "h") =>
        new(key, hash, id, "message", "sender", "c1", to, body, 1_000, "fanout", true);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task WriteBatch_ManyDistinctWrites_EachCreatedWithItsOutboxRows(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TemporaryStore.CreateAsync(backend, ct);
        var writes = Enumerable.Range(0, 50).Select(i => Write($"k{i}", $"m{i}", [.. Enumerable.Range(0, 1 + (i % 3)).Select(u => $"u{u}")])).ToList();

        var outcomes = await db.Store.WriteBatchAsync(writes, ct);

        outcomes.Should().HaveCount(50).And.OnlyContain(o => o.Error == null && o.Outcome!.Status == WriteStatus.Created);
        outcomes.Select(o => o.Outcome!.Result).Should().Equal(writes.Select(w => $$"""{"id":"{{w.MessageId}}"}"""));
        (await db.CountAsync("SELECT COUNT(*) FROM messages", ct)).Should().Be(50);
        (await db.CountAsync("SELECT COUNT(*) FROM outbox", ct)).Should().Be(writes.Sum(w => w.Recipients.Count));
        (await db.CountAsync("SELECT COUNT(*) FROM idempotency WHERE scope = 'message'", ct)).Should().Be(50);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task WriteBatch_KeyRepeatedWithinTheBatch_CreatedThenReplayedThenConflict(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TemporaryStore.CreateAsync(backend, ct);
        MessageWrite[] writes =
        [
            Write("k1", "m-first", ["u1"]),
            Write("k1", "m-retry-got-a-new-id", ["u1"]), // a retry of the same request: the first result, not a second message
            Write("k1", "m-other", ["u1"], body: "different", hash: "h2"), // the key reused for another request
            Write("k2", "m-first", ["u2"]), // another key claiming the first message's id
            Write("k3", "m-third", ["u3"]),
        ];

        var outcomes = await db.Store.WriteBatchAsync(writes, ct);

        outcomes.Select(o => o.Outcome!.Status).Should().Equal(WriteStatus.Created, WriteStatus.Replayed, WriteStatus.Conflict, WriteStatus.Conflict, WriteStatus.Created);
        outcomes[1].Outcome!.Result.Should().Be(outcomes[0].Outcome!.Result).And.Contain("m-first");
        outcomes[2].Outcome!.Result.Should().Contain("idempotency key 'k1'");
        outcomes[3].Outcome!.Result.Should().Contain("message id 'm-first'");
        (await db.CountAsync("SELECT COUNT(*) FROM messages", ct)).Should().Be(2, "m-first and m-third only");
        (await db.CountAsync("SELECT COUNT(*) FROM outbox", ct)).Should().Be(2);

        // The same requests one by one, on the single-write path, against what the batch committed: the same answers.
        var single = await db.Store.CreateMessageAsync("k1", "h", "m-again", "message", "sender", "c1", ["u1"], "hi", 2_000, "fanout", true, ct);
        single.Should().Be(outcomes[1].Outcome);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task WriteBatch_OneItemTheDatabaseRefuses_FailsAloneAndItsBatchMatesCommit(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TemporaryStore.CreateAsync(backend, ct);
        MessageWrite[] writes =
        [
            Write("k1", "m1", ["u1"]),
            Write("k2", "m2", ["u1", "u2"], body: null!), // payload NOT NULL: the insert fails inside the transaction
            Write("k3", "m3", ["u3"]),
        ];

        var outcomes = await db.Store.WriteBatchAsync(writes, ct);

        outcomes[0].Outcome!.Status.Should().Be(WriteStatus.Created);
        outcomes[1].Outcome.Should().BeNull();
        outcomes[1].Error.Should().NotBeNull();
        outcomes[2].Outcome!.Status.Should().Be(WriteStatus.Created);
        (await db.CountAsync("SELECT COUNT(*) FROM messages", ct)).Should().Be(2);
        (await db.CountAsync("SELECT COUNT(*) FROM outbox", ct)).Should().Be(2, "nothing of m2 survives its savepoint's rollback");
        (await db.CountAsync("SELECT COUNT(*) FROM idempotency WHERE idem_key = 'k2'", ct)).Should().Be(0, "a retry of k2 is not answered with a result that never existed");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task UnknownUsers_AfterAUserIsSeen_AnswersFromTheCacheAndStillFindsNewUsers(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TemporaryStore.CreateAsync(backend, ct);
        await db.Store.RegisterUserAsync("alice", 1, ct);

        (await db.Store.UnknownUsersAsync(["alice", "bob", "bob"], ct)).Should().Equal("bob");

        // bob registered through another store (another api instance): this one's cache does not hide him
        await new Store(db.Database).RegisterUserAsync("bob", 2, ct);
        (await db.Store.UnknownUsersAsync(["alice", "bob"], ct)).Should().BeEmpty();
        (await db.Store.UnknownUsersAsync(["carol"], ct)).Should().Equal("carol");

        // Proof the known users are not queried again: with alice's row gone behind its back (nothing in the system
        // deletes a user), this store still knows her; a fresh one asks the database.
        await using (var c = await db.Database.OpenAsync(ct))
        await using (var delete = c.CreateCommand())
        {
            delete.CommandText = "DELETE FROM users WHERE id = 'alice'";
            await delete.ExecuteNonQueryAsync(ct);
        }

        (await db.Store.UnknownUsersAsync(["alice"], ct)).Should().BeEmpty();
        (await new Store(db.Database).UnknownUsersAsync(["alice"], ct)).Should().Equal("alice");
    }
}
