using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Storage;
using Chaos.Harness.Tests.Support;
using Npgsql;

namespace Chaos.Harness.Tests.Faults.Storage;

/// <summary>
/// storage-disconnect on a real PostgreSQL server (CHAOS_TEST_POSTGRES; skipped with the reason without it), in a
/// database made for the test as a run makes one: a transaction in flight is cut and nothing of it commits.
/// </summary>
public sealed class PostgresDisconnectFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transaction_in_flight_fails_mid_way_commits_nothing_and_after_the_heal_connections_stay()
    {
        await using var database = await RunDatabase.CreateAsync(PostgresServer.ConnectionString(), TimeProvider.System, Ct);
        var system = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString;
        await PostgresServer.ExecuteAsync(system, "CREATE TABLE t (x int)", Ct);
        await using var writer = new NpgsqlConnection(system);
        await writer.OpenAsync(Ct);
        await using (var begin = new NpgsqlCommand("BEGIN; INSERT INTO t VALUES (1)", writer))
        {
            await begin.ExecuteNonQueryAsync(Ct);
        }

        await using var fault = new PostgresDisconnectFault(database.ConnectionString);
        await fault.ApplyAsync(Ct);
        var commit = async () =>
        {
            await using var c = new NpgsqlCommand("INSERT INTO t VALUES (2); COMMIT", writer);
            await c.ExecuteNonQueryAsync(Ct);
        };
        await commit.Should().ThrowAsync<NpgsqlException>("its connection was terminated mid-transaction");
        await fault.HealAsync(Ct);

        fault.TookEffect.Should().BeTrue();
        fault.Terminated.Should().BeGreaterThanOrEqualTo(1);
        fault.InTransaction.Should().BeGreaterThanOrEqualTo(1, "the writer was inside its transaction");
        fault.Outcome.Should().Contain("inside a transaction");
        await using var after = new NpgsqlConnection(system);
        await after.OpenAsync(Ct);
        await Task.Delay(PostgresDisconnectFault.Interval * 3, Ct); // sweeps would have cut it by now
        await using var count = new NpgsqlCommand("SELECT count(*) FROM t", after);
        ((long)(await count.ExecuteScalarAsync(Ct))!).Should().Be(0, "nothing of the cut transaction committed");
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_fails_the_apply_naming_the_fault()
    {
        await using var fault = new PostgresDisconnectFault("Host=127.0.0.1;Port=1;Username=chaos;Password=x;Database=none;Timeout=3");

        var apply = () => fault.ApplyAsync(Ct);

        (await apply.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().StartWith("storage-disconnect: could not sweep:");
        fault.TookEffect.Should().BeFalse();
    }
}
