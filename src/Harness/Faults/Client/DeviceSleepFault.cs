using Chaos.Harness.Api;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Client;

/// <summary>
/// Mobile sleep: the device's app is suspended — it stops reading its socket and sending anything (frames, acks,
/// SignalR pings) and makes no reconnect attempt — so a sleep longer than the gateway's client timeout gets the
/// connection dropped by the server. Heal is the wake: the client reads again, finds the connection dead, reconnects
/// and resumes from its stored sequence (the gap is replayed). Idempotent.
/// </summary>
public sealed class DeviceSleepFault(VirtualDevice device) : IFault
{
    public string Name => "sleep";

    public string Target => device.Process;

    /// <summary>The device's reconnect count when it fell asleep (null before apply).</summary>
    public int? ReconnectsAtSleep { get; private set; }

    /// <summary>The device's last sequence when it fell asleep (null before apply).</summary>
    public long? SequenceAtSleep { get; private set; }

    /// <summary>True once healed after an apply.</summary>
    public bool Woken { get; private set; }

    /// <summary>The user's inbox head when the device woke: above <see cref="SequenceAtSleep"/>, the device slept through a gap it must get replayed.</summary>
    public long? InboxAtWake { get; private set; }

    public Task ApplyAsync(CancellationToken cancellationToken)
    {
        ReconnectsAtSleep = device.Reconnects;
        SequenceAtSleep = device.Client.LastSequence;
        device.Client.Sleep();
        return Task.CompletedTask;
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        device.Client.Wake();
        if (SequenceAtSleep is null || Woken)
        {
            return;
        }

        Woken = true;
        try
        {
            InboxAtWake = await device.InboxLatestAsync(cancellationToken);
        }
        catch (Exception e) when (e is SystemReadException or InvalidOperationException or OperationCanceledException)
        {
            // evidence only: the wake itself happened
        }
    }
}
