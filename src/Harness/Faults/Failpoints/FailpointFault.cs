using System.Globalization;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Failpoints;

/// <summary>
/// <c>failpoint</c>: arms a failpoint of the system under test on one node through the system's
/// <see cref="IFailpointControl"/> (the reference system's: its loopback admin endpoint), so a crash (or delay, or
/// throw) happens at an exact point of the code — "between the side effect and the offset commit" — instead of
/// wherever a SIGKILL happens to land. Heal disarms it, and restarts the instance if the
/// failpoint crashed it. A crash is recognised by the node's <see cref="ITopologyNode.Exited"/> event with
/// <see cref="NodeExitedEventArgs.Expected"/> false for the incarnation that was armed.
/// </summary>
public sealed class FailpointFault : IFault, IFaultOutcome
{
    private readonly IFailpointControl _failpoints;
    private readonly TaskCompletionSource _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _subscribed;
    private bool _disarmed;

    public FailpointFault(ITopologyNode node, FailpointSettings settings, IFailpointControl failpoints)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(failpoints);
        Node = node;
        Settings = settings;
        _failpoints = failpoints;
    }

    public string Name => ProcessFaultNames.Failpoint;

    public string Target => Node.Name;

    public ITopologyNode Node { get; }

    public FailpointSettings Settings { get; }

    /// <summary>The incarnation the failpoint was armed on.</summary>
    public int? ArmedIncarnation { get; private set; }

    /// <summary>True when the armed incarnation exited without the harness causing it (the crash action fired).</summary>
    public bool Crashed => _crashed.Task.IsCompleted;

    /// <summary>The crashed incarnation's exit code.</summary>
    public int? CrashExitCode { get; private set; }

    /// <summary>The hit count read just before disarming (null when the process was gone by then).</summary>
    public int? HitsAtHeal { get; private set; }

    /// <summary>True when the heal restarted the instance.</summary>
    public bool Restarted { get; private set; }

    /// <summary>Completes when the armed incarnation crashes.</summary>
    public Task CrashedTask => _crashed.Task;

    /// <summary>Whether the failpoint demonstrably fired: it crashed the process, or its hit count reached the trigger.</summary>
    public bool Fired => Crashed || (Settings.Action != FailpointAction.Crash && HitsAtHeal is { } h && h >= (Settings.Hit ?? 1));

    /// <inheritdoc/>
    public string? Outcome
    {
        get
        {
            if (ArmedIncarnation is not { } armed)
            {
                return null;
            }

            if (Crashed)
            {
                var at = Settings.Hit is { } n ? string.Create(CultureInfo.InvariantCulture, $" at hit {n}") : "";
                return string.Create(CultureInfo.InvariantCulture, $"{Settings.Point} crashed incarnation {armed}{at} (exit {CrashExitCode})")
                    + (Node.IsRunning && Node.Incarnation > armed ? string.Create(CultureInfo.InvariantCulture, $"; restarted as incarnation {Node.Incarnation}") : "; down");
            }

            var armedText = string.Create(CultureInfo.InvariantCulture, $"{Settings.Spec} armed on incarnation {armed}");
            if (!_disarmed)
            {
                return armedText;
            }

            var hits = HitsAtHeal is { } h ? string.Create(CultureInfo.InvariantCulture, $"hit {h} times") : "hits unknown";
            return $"{armedText}; {hits}; {(Fired ? "fired" : "did not fire")}; disarmed";
        }
    }

    /// <inheritdoc/>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        if (!Node.IsRunning)
        {
            throw new InvalidOperationException($"node {Node.Name} is not running");
        }

        ArmedIncarnation = Node.Incarnation;
        Node.Exited += OnExited;
        _subscribed = true;
        try
        {
            await _failpoints.ArmAsync(Node, Settings, cancellationToken);
        }
        catch (HttpRequestException)
        {
            // under load a crash@1 can fire before the role answers the arming request: then it was armed, and it fired
            if (!await CrashedWithinAsync(CrashGrace, cancellationToken))
            {
                Unsubscribe();
                throw;
            }
        }
        catch
        {
            Unsubscribe();
            throw;
        }
    }

    /// <summary>How long a failed arming request waits for the crash that may have cut it.</summary>
    private static TimeSpan CrashGrace => TimeSpan.FromSeconds(5);

    private async Task<bool> CrashedWithinAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            await _crashed.Task.WaitAsync(grace, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (ArmedIncarnation is null)
        {
            return;
        }

        if (!_disarmed && !Crashed && Node.IsRunning && Node.Incarnation == ArmedIncarnation)
        {
            _disarmed = true;
            try
            {
                HitsAtHeal = await _failpoints.HitsAsync(Node, Settings.Point, cancellationToken);
                await _failpoints.DisarmAsync(Node, Settings.Point, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // the process died under us (a crash racing the heal): the restart below covers it
            }
        }

        if (Crashed || !Node.IsRunning)
        {
            Restarted |= await NodeGate.ReviveAsync(Node, cancellationToken);
        }

        Unsubscribe();
    }

    private void OnExited(object? sender, NodeExitedEventArgs e)
    {
        if (e.Incarnation == ArmedIncarnation && !e.Expected)
        {
            CrashExitCode = e.ExitCode;
            _crashed.TrySetResult();
        }
    }

    private void Unsubscribe()
    {
        if (_subscribed)
        {
            Node.Exited -= OnExited;
            _subscribed = false;
        }
    }
}
