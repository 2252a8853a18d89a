using System.Globalization;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary>
/// A fault on one node's process (tree). Every process fault heals the same way: a node that is down is restarted
/// from its spec and waited for until ready; a paused node is resumed first. What happened (which incarnation died,
/// its exit code, whether it came back) is kept for verification.
/// </summary>
public abstract class ProcessFault : IFault, IFaultOutcome
{
    protected ProcessFault(ITopologyNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        Node = node;
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public string Target => Node.Name;

    /// <summary>The node this fault acts on.</summary>
    public ITopologyNode Node { get; }

    /// <summary>The incarnation the fault hit (set when applied).</summary>
    public int? HitIncarnation { get; private set; }

    /// <summary>True once the incarnation the fault hit is observed to have exited.</summary>
    public bool Died { get; protected set; }

    /// <summary>The exit code of the incarnation that died (137 after SIGKILL).</summary>
    public int? ExitCode { get; protected set; }

    /// <summary>True once a later incarnation was started and observed ready (by the fault or its heal).</summary>
    public bool CameBack => HitIncarnation is { } hit && Node.Incarnation > hit && Node.IsRunning;

    /// <inheritdoc/>
    public virtual string? Outcome => HitIncarnation is null
        ? null
        : Describe() + (CameBack ? string.Create(CultureInfo.InvariantCulture, $"; running again as incarnation {Node.Incarnation}") : Node.IsRunning ? "" : "; down");

    /// <inheritdoc/>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        HitIncarnation = Node.Incarnation;
        await ApplyCoreAsync(cancellationToken);
    }

    /// <summary>Resumes the node if paused, restarts it if down; a no-op on a running node.</summary>
    public virtual Task HealAsync(CancellationToken cancellationToken) => NodeGate.ReviveAsync(Node, cancellationToken);

    /// <summary>Injects the fault into <see cref="Node"/>.</summary>
    protected abstract Task ApplyCoreAsync(CancellationToken cancellationToken);

    /// <summary>What the apply did, for <see cref="Outcome"/>.</summary>
    protected virtual string Describe() => Died
        ? string.Create(CultureInfo.InvariantCulture, $"incarnation {HitIncarnation} exited with {ExitCode}")
        : string.Create(CultureInfo.InvariantCulture, $"incarnation {HitIncarnation} did not exit");

    /// <summary>Records that the hit incarnation has exited (call after the node reported the exit).</summary>
    protected void MarkExited()
    {
        Died = !Node.IsRunning || Node.Incarnation > HitIncarnation;
        ExitCode = Node.ExitCode;
    }
}
