using System.Text;
using Chaos.Scenarios.Tests.Faults;

namespace Chaos.Scenarios.Tests.Sut;

/// <summary>How a real deployment hands its keys to the roles: in the environment, never in argv or a log.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class ReferenceSystemDeploymentTests(DeploymentFixture fixture)
{
    [Fact]
    public async Task Every_role_gets_its_keys_in_its_environment_and_no_key_is_in_any_command_line_or_log()
    {
        var credentials = fixture.System.Credentials;
        string[] keys = [credentials.JwtKey, credentials.AdminKey];
        var roles = fixture.System.Roles.ToList();
        roles.Select(n => n.Role).Distinct().Order(StringComparer.Ordinal).Should().Equal("api", "gateway", "jobs", "notifier");

        foreach (var node in roles)
        {
            node.Spec.Environment.Should().Equal(credentials.EnvironmentFor(node.Role), node.Name);
            node.Spec.Arguments.Should().NotContain(a => keys.Any(k => a.Contains(k, StringComparison.Ordinal)), node.Name);

            // what `ps` shows every user, and what only the process's own user may read
            var pid = node.ProcessId!.Value;
            var commandLine = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/cmdline", TestContext.Current.CancellationToken));
            commandLine.Should().Contain("Reference.System.dll").And.NotContain(credentials.AdminKey).And.NotContain(credentials.JwtKey);
            var environment = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/environ", TestContext.Current.CancellationToken)).Split('\0');
            environment.Should().Contain($"REFSYS_ADMIN_KEY={credentials.AdminKey}");
            (environment.Contains($"REFSYS_JWT_KEY={credentials.JwtKey}")).Should().Be(node.Role is "api" or "gateway", node.Name);
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode($"/proc/{pid}/environ").Should().Be(UnixFileMode.UserRead, "no other user may read a process's environment");
            }

            var log = await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken);
            log.Should().Contain("start #1:").And.NotContain(credentials.AdminKey).And.NotContain(credentials.JwtKey);
        }
    }
}
