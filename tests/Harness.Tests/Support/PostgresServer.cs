using Npgsql;

namespace Chaos.Harness.Tests.Support;

/// <summary>The PostgreSQL server the tests may use: CHAOS_TEST_POSTGRES (.ci/run sets it), else the test is skipped saying so.</summary>
internal static class PostgresServer
{
    public const string Variable = "CHAOS_TEST_POSTGRES";

    public static string ConnectionString()
    {
        var cs = Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(cs), $"needs PostgreSQL: set {Variable} to a connection string of a role allowed to CREATE DATABASE (.ci/run does)");
        return cs!;
    }

    public static async Task<IReadOnlyList<string>> DatabasesAsync(string server, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(ct);
        await using var list = new NpgsqlCommand("SELECT datname FROM pg_database", connection);
        await using var reader = await list.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
