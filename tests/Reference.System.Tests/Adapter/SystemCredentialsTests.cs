using Chaos.Harness.Topology;
using Chaos.Reference.Adapter;

namespace Chaos.Reference.Tests.Adapter;

public sealed class SystemCredentialsTests
{
    [Fact]
    public void Generate_TwoDeployments_FreshDistinct256BitKeys()
    {
        var a = SystemCredentials.Generate();
        var b = SystemCredentials.Generate();
        new[] { a.JwtKey, a.AdminKey, b.JwtKey, b.AdminKey }.Should().OnlyHaveUniqueItems()
            .And.OnlyContain(k => k.Length == 43 && k.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'), "32 random bytes, base64url");
    }

    [Theory]
    [InlineData("api", new[] { "REFSYS_ADMIN_KEY", "REFSYS_JWT_KEY" })]
    [InlineData("gateway", new[] { "REFSYS_ADMIN_KEY", "REFSYS_JWT_KEY" })]
    [InlineData("notifier", new[] { "REFSYS_ADMIN_KEY" })]
    [InlineData("jobs", new[] { "REFSYS_ADMIN_KEY" })]
    public void EnvironmentFor_Role_OnlyTheKeysTheRoleNeeds(string role, string[] variables)
    {
        var credentials = new SystemCredentials("jwt-key-0123456789abcdef", "admin-key-0123456789abcdef");
        var environment = credentials.EnvironmentFor(role);
        environment.Keys.Order(StringComparer.Ordinal).Should().Equal(variables);
        environment["REFSYS_ADMIN_KEY"].Should().Be("admin-key-0123456789abcdef");
    }

    [Fact]
    public void ToString_NeverPrintsAKey()
    {
        var credentials = SystemCredentials.Generate();
        credentials.ToString().Should().Be("SystemCredentials { JwtKey = <redacted>, AdminKey = <redacted> }");
        new ReferenceSystemOptions { Credentials = credentials }.ToString().Should().NotContain(credentials.AdminKey).And.NotContain(credentials.JwtKey);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("sixteen-chars-\nx")]
    public void Constructor_WeakOrControlCharacterKey_Refused(string key)
    {
        var make = () => new SystemCredentials(key, "admin-key-0123456789abcdef");
        make.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("jwtKey");
    }

    [Fact]
    public void AdminAuthorizationOf_SpecWithTheKeyInItsEnvironment_TheAdminKeyHeader()
    {
        var credentials = new SystemCredentials("jwt-key-0123456789abcdef", "admin-key-0123456789abcdef");
        var spec = new NodeSpec { Name = "notifier-1", FileName = "dotnet", Environment = credentials.EnvironmentFor("notifier") };
        SystemCredentials.AdminAuthorizationOf(spec)!.ToString().Should().Be("AdminKey admin-key-0123456789abcdef");
        SystemCredentials.AdminAuthorizationOf(spec with { Environment = new Dictionary<string, string>() }).Should().BeNull();
    }
}
