using Chaos.Harness.Checkers;

namespace Chaos.Testing;

/// <summary>
/// What a finished chaos run decided (<see cref="ChaosRun.WaitAsync"/>): the tool's exit code, the history checked
/// again by the run's own check options, the delivery latency measured from it, and the command that reproduces the
/// run. Assert on it with <c>result.Should()</c> (<see cref="ChaosAssertions"/>).
/// </summary>
/// <param name="ExitCode">The tool's exit code: 0 every promise held, 1 one broke (2 is <see cref="ChaosRunException"/>).</param>
/// <param name="Output">What the tool printed.</param>
/// <param name="Folder">The run's folder.</param>
/// <param name="Reproduce">The one <c>chaos</c> command that runs it again (results.json's <c>reproduce</c>).</param>
/// <param name="Check">What the checkers decided about the recorded history.</param>
/// <param name="Latency">Delivery latency by phase, measured from the history.</param>
public sealed record ChaosRunResult(int ExitCode, string Output, string Folder, string? Reproduce, CheckResult Check, LatencyAnalysis Latency);
