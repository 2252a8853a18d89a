namespace Chaos.Harness.Faults;

/// <summary>
/// One fault the nemesis can inject: <see cref="ApplyAsync"/> breaks something, <see cref="HealAsync"/> repairs it.
/// </summary>
/// <remarks>
/// The harness calls <see cref="HealAsync"/> after the fault window, and again on abort (Ctrl-C, a failed run,
/// disposal), possibly without a preceding successful <see cref="ApplyAsync"/>. Heal must therefore be
/// idempotent and must not throw when there is nothing to heal. A fault that cannot be undone (a connection
/// cut, a killed process) heals by doing nothing.
/// </remarks>
public interface IFault
{
    /// <summary>What this fault is, as recorded in the history's nemesis events (e.g. <c>latency</c>).</summary>
    string Name { get; }

    /// <summary>What it acts on, as recorded in the history (e.g. a proxy name or a process name).</summary>
    string Target { get; }

    /// <summary>Injects the fault. Throws when the fault could not be applied; then nothing may be left applied.</summary>
    Task ApplyAsync(CancellationToken cancellationToken);

    /// <summary>Removes the fault. Idempotent: healing a healed (or never applied) fault succeeds.</summary>
    Task HealAsync(CancellationToken cancellationToken);
}
