namespace Chaos.Reference.Tests.Support;

/// <summary>
/// The storage back-ends a spec test runs against: "sqlite" always; "postgres" when CHAOS_TEST_POSTGRES holds a
/// connection string (a role allowed to CREATE DATABASE; each run gets its own database), skipped with a reason otherwise.
/// </summary>
public static class Backend
{
    public const string Variable = "CHAOS_TEST_POSTGRES";

    public static string? PostgresFor(string backend)
    {
        if (backend != "postgres")
        {
            return null;
        }

        var cs = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(cs))
        {
            Assert.Skip($"{Variable} is not set: no PostgreSQL to run against (CI sets it; locally e.g. Host=127.0.0.1;Username=...;Password=...;Database=postgres)");
        }

        return cs;
    }
}
