using System.Diagnostics;

namespace Chaos.Scenarios.Tests.Check;

/// <summary>Runs the real <c>chaos</c> executable (chaos.dll next to the tests) as a child process.</summary>
internal static class ChaosCli
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static Task<Outcome> RunAsync(TimeSpan timeout, CancellationToken cancellationToken, params string[] args) =>
        RunAsync(timeout, cancellationToken, [], args);

    /// <summary>As above, with extra environment variables for the child.</summary>
    public static async Task<Outcome> RunAsync(TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyList<(string Name, string Value)> environment, params string[] args)
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
