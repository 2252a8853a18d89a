using System.Runtime.InteropServices;
using Chaos.Harness.Topology;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// One cancellation for a verb's whole life: cancelled by SIGINT, SIGTERM, or the death of the process named by
/// CHAOS_PARENT_PID. The verb then heals, stops what it started and exits on its own.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private readonly ParentWatch? _parent;

    public ShutdownSignals(CancellationToken outer)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        _parent = ParentWatch.FromEnvironment(Cancel);
    }

    public CancellationToken Token => _cts.Token;

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // do not let the runtime exit before cleanup ran
        Cancel();
    }

    private void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already shutting down
        }
    }

    public void Dispose()
    {
        _parent?.Dispose();
        _sigterm.Dispose();
        _sigint.Dispose();
        _cts.Dispose();
    }
}
