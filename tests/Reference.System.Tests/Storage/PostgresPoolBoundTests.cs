using Chaos.Reference.Storage;
using Npgsql;

namespace Chaos.Reference.Tests.Storage;

/// <summary>
/// Each process pools at most ten PostgreSQL connections unless its connection string says otherwise (eight processes
/// with Npgsql's 100 each passed a default server's 100: "too many clients"; docs/reference-system.md, "Storage").
/// </summary>
public sealed class PostgresPoolBoundTests
{
    [Theory]
    [InlineData("Host=db;Username=u;Password=p")]
    [InlineData("Host=db;Username=u;Password='a;Max Pool Size=50'")] // a password that only looks like the key
    public void A_connection_string_without_a_pool_bound_gets_ten(string connectionString) =>
        new NpgsqlConnectionStringBuilder(PostgresDatabase.WithPoolBound(connectionString)).MaxPoolSize.Should().Be(PostgresDatabase.DefaultMaxPoolSize);

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=40", 40)]
    [InlineData("Host=db;MaxPoolSize=100", 100)]
    public void A_pool_bound_the_connection_string_sets_is_kept(string connectionString, int expected) =>
        new NpgsqlConnectionStringBuilder(PostgresDatabase.WithPoolBound(connectionString)).MaxPoolSize.Should().Be(expected);
}
