using Chaos.Reference.Hosting;

namespace Chaos.Reference.Tests.Security;

/// <summary>How a process gets its JWT and admin keys: out of band (environment or an owner-only file), never argv.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretSettingsTests
{
    private static readonly string[] Api = ["--role", "api", "--kafka", "127.0.0.1:9092", "--db", "sqlite:/tmp/x.db"];

    [Theory]
    [InlineData("--jwt-key")]
    [InlineData("--admin-key")]
    public void FromArgs_KeyOnTheCommandLine_RefusedNamingTheWayOutOfBand(string flag)
    {
        SystemOptions.FromArgs([.. Api, flag, "0123456789abcdef0123"], OptionsAndFailpointTests.Keys(), out var error).Should().BeNull();
        error.Should().Be($"{flag} on the command line is visible to every user of the machine (ps); set REFSYS_{flag[2..].ToUpperInvariant().Replace('-', '_')} or {flag}-file");
    }

    [Theory]
    [InlineData("api", "REFSYS_JWT_KEY", "REFSYS_JWT_KEY (or --jwt-key-file) is required for role api")]
    [InlineData("gateway", "REFSYS_JWT_KEY", "REFSYS_JWT_KEY (or --jwt-key-file) is required for role gateway")]
    [InlineData("notifier", "REFSYS_ADMIN_KEY", "REFSYS_ADMIN_KEY (or --admin-key-file) is required for role notifier")]
    [InlineData("jobs", "REFSYS_ADMIN_KEY", "REFSYS_ADMIN_KEY (or --admin-key-file) is required for role jobs")]
    public void FromArgs_KeyMissing_RefusedNamingIt(string role, string missing, string expected)
    {
        var env = OptionsAndFailpointTests.Keys();
        env.Remove(missing);
        SystemOptions.FromArgs(["--role", role, "--kafka", "k", "--db", "d"], env, out var error).Should().BeNull();
        error.Should().Be(expected);
    }

    [Fact]
    public void FromArgs_ConsumerRoles_HoldNoJwtKey()
    {
        var options = SystemOptions.FromArgs(["--role", "notifier", "--kafka", "k", "--db", "d"], OptionsAndFailpointTests.Keys(), out var error);
        error.Should().BeEmpty();
        options!.JwtKey.Should().BeNull("only api and gateway issue or check tokens");
        options.AdminKey.Should().Be("admin-key-0123456789abcdef");
    }

    [Fact]
    public void FromArgs_ShortKey_Refused()
    {
        var env = OptionsAndFailpointTests.Keys();
        env["REFSYS_ADMIN_KEY"] = "short";
        SystemOptions.FromArgs(Api, env, out var error).Should().BeNull();
        error.Should().Be("the admin-key is 5 characters; at least 16 are required (the harness uses 256 random bits)");
    }

    [Fact]
    public void FromArgs_KeyWithACommaInTheEnvironment_TakenWhole()
    {
        var env = OptionsAndFailpointTests.Keys();
        env["REFSYS_JWT_KEY"] = "first-half-0123,second-half-4567";
        SystemOptions.FromArgs(Api, env, out var error)!.JwtKey.Should().Be("first-half-0123,second-half-4567", error);
    }

    [Fact]
    public void FromArgs_KeyFileOnlyItsOwnerCanRead_Read()
    {
        using var file = new KeyFile("file-key-0123456789abcdef\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var env = OptionsAndFailpointTests.Keys();
        env.Remove("REFSYS_ADMIN_KEY");
        var options = SystemOptions.FromArgs([.. Api, "--admin-key-file", file.Path], env, out var error);
        error.Should().BeEmpty();
        options!.AdminKey.Should().Be("file-key-0123456789abcdef");
    }

    [Fact]
    public void FromArgs_KeyFileOthersCanRead_Refused()
    {
        using var file = new KeyFile("file-key-0123456789abcdef", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        SystemOptions.FromArgs([.. Api, "--jwt-key-file", file.Path], OptionsAndFailpointTests.Keys(), out var error).Should().BeNull();
        error.Should().Be($"--jwt-key-file: '{file.Path}' is open to other users (mode 0644); chmod 600 it");
    }

    [Fact]
    public void FromArgs_KeyFileMissing_Refused()
    {
        SystemOptions.FromArgs([.. Api, "--jwt-key-file", "/nonexistent/key"], OptionsAndFailpointTests.Keys(), out var error).Should().BeNull();
        error.Should().Be("--jwt-key-file: '/nonexistent/key' does not exist");
    }

    private sealed class KeyFile : IDisposable
    {
        public KeyFile(string content, UnixFileMode mode)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "refsys-key-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(Path, content);
            File.SetUnixFileMode(Path, mode);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
