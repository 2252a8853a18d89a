using Chaos.Reference.Security;
using Chaos.Reference.Storage;
using Chaos.Reference.Tests.Support;
using Npgsql;

namespace Chaos.Reference.Tests.Security;

/// <summary>User secrets in storage, on each back-end: only a hash is kept, and registering again replaces it.</summary>
public sealed class CredentialStoreTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RegisterWithSecret_Twice_CreatesTheUserOnceAndKeepsOnlyTheLatestHash(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = Backend.PostgresFor(backend);
        var name = "refsys_cred_" + Guid.NewGuid().ToString("N")[..10];
        var file = Path.Combine(Path.GetTempPath(), name + ".db");
        if (postgres is not null)
        {
            await using var admin = new NpgsqlConnection(postgres);
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await using (var db = Database.Create(postgres is null ? "sqlite:" + file : "postgres:" + new NpgsqlConnectionStringBuilder(postgres) { Database = name }))
            {
                var store = new Store(db);
                await store.EnsureSchemaAsync(ct);
                var (first, second) = (UserSecrets.Generate(), UserSecrets.Generate());

                (await store.RegisterWithSecretAsync("carol", UserSecrets.Hash(first), 1, ct)).Should().BeTrue("carol is new");
                (await store.RegisterWithSecretAsync("carol", UserSecrets.Hash(second), 2, ct)).Should().BeFalse("carol exists");
                var stored = await store.SecretHashAsync("carol", ct);

                stored.Should().Be(UserSecrets.Hash(second)).And.NotContain(second);
                UserSecrets.Matches(second, stored).Should().BeTrue();
                UserSecrets.Matches(first, stored).Should().BeFalse("the first secret was replaced");
                (await store.SecretHashAsync("dave", ct)).Should().BeNull();
                UserSecrets.Matches(second, null).Should().BeFalse("no such user");
                UserSecrets.Matches(null, stored).Should().BeFalse("no secret");
                (await store.UnknownUsersAsync(["carol", "dave"], ct)).Should().Equal("dave");
            }
        }
        finally
        {
            if (postgres is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(postgres);
                await admin.OpenAsync(CancellationToken.None);
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }

            foreach (var f in Directory.GetFiles(Path.GetTempPath(), name + ".db*"))
            {
                File.Delete(f);
            }
        }
    }
}
