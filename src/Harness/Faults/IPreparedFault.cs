namespace Chaos.Harness.Faults;

/// <summary>
/// A fault with work to do before its window that changes nothing — reading what it will change — so that its window
/// is its effect, not its set-up: topic-refused reads the topic's leaders (a metadata request from a new client, a
/// second or more on a crowded machine) before the window that moves them (docs/faults.md, "Kafka faults").
/// </summary>
/// <remarks>
/// The schedule runner starts <see cref="PrepareAsync"/> when the fault phase starts and awaits it before
/// <see cref="IFault.ApplyAsync"/>. Preparing must not throw for a failure of what it reads: a fault whose preparation
/// failed does the work in <see cref="IFault.ApplyAsync"/>, which reports a failure as any apply does. A fault applied
/// without being prepared (a test, the nemesis on its own) works as well, only later.
/// </remarks>
public interface IPreparedFault : IFault
{
    /// <summary>Reads what the next <see cref="IFault.ApplyAsync"/> needs; changes nothing; does not throw but on cancellation.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);
}
