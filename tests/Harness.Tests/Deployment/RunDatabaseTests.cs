using Chaos.Harness.Deployment;
using Chaos.Harness.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Chaos.Harness.Tests.Deployment;

/// <summary>
/// A run's own PostgreSQL database on a real server (CHAOS_TEST_POSTGRES: a connection string of a role allowed to
/// CREATE DATABASE; skipped with the reason without it): made, handed over, dropped; and left-behind ones swept.
/// </summary>
public sealed class RunDatabaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_gets_a_database_of_its_own_which_is_dropped_at_the_end_even_with_a_connection_left_open()
    {
        var server = PostgresServer.ConnectionString();
        var database = await RunDatabase.CreateAsync(server, TimeProvider.System, Ct);
        database.Name.Should().MatchRegex("^chaos_run_[0-9]+_[0-9a-f]{8}$");
        new NpgsqlConnectionStringBuilder(database.ConnectionString).Database.Should().Be(database.Name);

        var left = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await left.OpenAsync(Ct);
        await using (var create = new NpgsqlCommand("CREATE TABLE t (x int); INSERT INTO t VALUES (1)", left))
        {
            await create.ExecuteNonQueryAsync(Ct);
        }

        await database.DisposeAsync(); // a system that did not close its connections: WITH (FORCE)

        database.DropError.Should().BeNull();
        (await PostgresServer.DatabasesAsync(server, Ct)).Should().NotContain(database.Name);
        await left.DisposeAsync();
    }

    [Fact]
    public async Task A_database_left_by_a_killed_run_is_dropped_by_the_next_run_once_stale_and_nothing_else_is()
    {
        var server = PostgresServer.ConnectionString();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var left = await RunDatabase.CreateAsync(server, time, Ct); // never disposed: its run was killed
        time.Advance(RunDatabase.StaleAfter - TimeSpan.FromMinutes(1));
        var recent = await RunDatabase.CreateAsync(server, time, Ct); // a run still going, or just ended
        const string Foreign = "chaos_run_1_notours"; // the prefix, not the form: not ours to drop
        await PostgresServer.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {Foreign}", Ct);
        await PostgresServer.ExecuteAsync(server, $"CREATE DATABASE {Foreign}", Ct);
        try
        {
            time.Advance(TimeSpan.FromMinutes(2));
            var next = await RunDatabase.CreateAsync(server, time, Ct);
            await next.DisposeAsync();

            var names = await PostgresServer.DatabasesAsync(server, Ct);
            names.Should().NotContain(left.Name, "it is older than StaleAfter and nobody is connected to it");
            names.Should().Contain(recent.Name, "it is younger than StaleAfter").And.Contain(Foreign);
        }
        finally
        {
            await left.DisposeAsync();
            await recent.DisposeAsync();
            await PostgresServer.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {Foreign}", Ct);
        }
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_an_error_naming_it()
    {
        var create = () => RunDatabase.CreateAsync("Host=127.0.0.1;Port=1;Username=chaos;Password=x;Database=postgres;Timeout=3", TimeProvider.System, Ct);

        (await create.Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().StartWith("--postgres: could not create the run's database on 127.0.0.1:1 as chaos:");
    }

    [Fact]
    public async Task A_connection_string_that_is_not_one_is_an_error_naming_the_option()
    {
        var create = () => RunDatabase.CreateAsync("Hots=127.0.0.1", TimeProvider.System, Ct);

        (await create.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().StartWith("--postgres is not a PostgreSQL connection string:");
    }
}
