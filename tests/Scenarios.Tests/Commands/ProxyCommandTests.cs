using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Harness.Proxy;

namespace Chaos.Scenarios.Tests.Commands;

/// <summary><c>chaos proxy</c> as a real process: prints its API address, answers the API, stops on SIGTERM.</summary>
public sealed partial class ProxyCommandTests
{
    [Fact]
    public async Task Proxy_PrintsItsApiAddress_ServesTheApi_AndStopsGracefullyOnSigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = StartChaos("proxy", "--api", "127.0.0.1:0");
        try
        {
            var api = await ReadApiAddressAsync(process).WaitAsync(TimeSpan.FromSeconds(30), ct);
            using var client = new ToxiproxyClient(new Uri(api));

            var version = await client.GetVersionAsync(ct);
            var proxy = await client.CreateProxyAsync("db", "127.0.0.1:0", "127.0.0.1:9", true, ct);
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
            }

            var rest = await process.StandardOutput.ReadToEndAsync(ct).WaitAsync(TimeSpan.FromSeconds(15), ct);
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(15), ct);

            version.Should().Be(FaultProxyServer.Version);
            proxy.Listen.Should().StartWith("127.0.0.1:");
            rest.Should().Contain("stopped", "the proxies are disposed before the process ends");
            process.ExitCode.Should().Be(0);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Proxy_WithANonLoopbackApi_ExitsTwo()
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = StartChaos("proxy", "--api", "192.0.2.1:8474");
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

            process.ExitCode.Should().Be(2);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Proxy_ExitsWhenItsParentIsGone()
    {
        var ct = TestContext.Current.CancellationToken;
        var chaos = Path.Combine(AppContext.BaseDirectory, "chaos.dll");

        // A shell starts the proxy as its child, prints the child's pid and exits after a second.
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"CHAOS_PARENT_PID=$$ dotnet '{chaos}' proxy --api 127.0.0.1:0 >/dev/null 2>&1 & echo $!; sleep 1");
        using var shell = Process.Start(start)!;
        var pid = int.Parse((await shell.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct))!, CultureInfo.InvariantCulture);
        using var proxy = Process.GetProcessById(pid);
        try
        {
            await shell.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);

            await proxy.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(15), ct);
        }
        finally
        {
            if (!proxy.HasExited)
            {
                proxy.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Proxy_ExitsWhenItsParentIsAZombie()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "zombies are read from /proc (Linux only)");
        var ct = TestContext.Current.CancellationToken;
        var chaos = Path.Combine(AppContext.BaseDirectory, "chaos.dll");

        // The proxy's CHAOS_PARENT_PID names a background `read` that exits when the shell's input closes; the shell
        // has exec'd into a sleep that never reaps it, so it stays a zombie — a dead harness whose /proc entry remains.
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        // (the proxy is started from a subshell so that it is not a child of the non-reaping sleep: its own exit is reaped)
        start.ArgumentList.Add($"exec 3<&0; read x <&3 & z=$!; (CHAOS_PARENT_PID=$z dotnet '{chaos}' proxy --api 127.0.0.1:0 2>&1 3<&- & echo $!); exec sleep 120 3<&-");
        using var shell = Process.Start(start)!;
        try
        {
            var pid = int.Parse((await shell.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct))!, CultureInfo.InvariantCulture);
            using var proxy = Process.GetProcessById(pid);
            var api = await shell.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
            api.Should().StartWith("api: ", "the proxy is serving while its parent lives");
            proxy.HasExited.Should().BeFalse();

            shell.StandardInput.Close();

            await proxy.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(15), ct);
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    private static Process StartChaos(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "chaos.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // killed children must leave no diagnostics socket or debugger pipes in /tmp
        start.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        start.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        start.Environment["CHAOS_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start chaos");
    }

    private static async Task<string> ReadApiAddressAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            var match = ApiLine().Match(line);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("chaos proxy exited without printing its API address: " + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"^api: (http://127\.0\.0\.1:\d+)$")]
    private static partial Regex ApiLine();
}
