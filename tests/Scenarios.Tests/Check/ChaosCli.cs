using System.Diagnostics;

namespace Chaos.Scenarios.Tests.Check;

/// <summary>Runs the real <c>chaos</c> executable (chaos.dll next to the tests) as a child process.</summary>
internal static class ChaosCli
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static Task<Outcome> RunAsync(TimeSpan timeout, CancellationToken cancellationToken, params string[] args) =>
        RunAsync(timeout, cancellationToken, [], args);

    /// <summary>As above, with extra environment variables for the child.</summary>
    public static Task<Outcome> RunAsync(TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyList<(string Name, string Value)> environment, params string[] args) =>
        StartAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "chaos.dll"), .. args], timeout, environment, cancellationToken);

    /// <summary>Whether <see cref="RunOnTerminalAsync"/> can run here (util-linux's <c>script</c> gives the child a pseudo-terminal).</summary>
    public static bool TerminalAvailable => File.Exists("/usr/bin/script");

    /// <summary>
    /// Runs chaos with its stdout on a pseudo-terminal (util-linux <c>script</c>), as a person at a shell sees it; what
    /// the terminal showed comes back as <see cref="Outcome.Stdout"/> (stdout and stderr together).
    /// </summary>
    public static Task<Outcome> RunOnTerminalAsync(TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyList<(string Name, string Value)> environment, params string[] args)
    {
        var command = string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "chaos.dll") }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        return StartAsync("script", ["-q", "-e", "-c", command, "/dev/null"], timeout, environment, cancellationToken);
    }

    private static async Task<Outcome> StartAsync(string file, IReadOnlyList<string> args, TimeSpan timeout, IReadOnlyList<(string Name, string Value)> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NO_COLOR");

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // killed children must leave no diagnostics socket or debugger pipes in /tmp
        start.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        start.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        start.Environment["CHAOS_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
            return new Outcome(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
