using System.Globalization;
using Chaos.Harness.Checkers;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// What a scenario's latency SLOs are made of (docs/scenarios.md, "Latency budgets"). Steady state is judged by one
/// number, the seed's p99 500 ms. A fault phase is judged by what its longest fault must cost a delivery caught in
/// it: the fault's own length plus what recovery takes (a killed node starting, a device reconnecting, a consumer
/// group noticing a dead member and rebalancing), times a margin for a busy machine. Each scenario writes its sum
/// next to its faults, so a slower recovery than the parts allow is an alarm, not noise under a blanket 20–60 s.
/// </summary>
internal static class LatencyBudget
{
    /// <summary>The steady phase's SLO in every scenario: p99 ≤ 500 ms.</summary>
    public static readonly LatencyThreshold Steady = LatencyThreshold.Parse("steady:p99=500ms");

    /// <summary>
    /// A killed reference-system process restarted until it serves again: exec to listening took 1.0–2.2 s while the
    /// rest of the deployment carried the default load (precompiled sut; ≈ 1 s on an idle machine).
    /// </summary>
    public static readonly TimeSpan NodeStart = TimeSpan.FromSeconds(2.5);

    /// <summary>A cut device back on a gateway: its reconnect backoff (at most 1 s in runs) and the SignalR handshake.</summary>
    public static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// Every device of a gateway back at once after the gateway was cut off or restarted: the reconnects and their resume
    /// reads queue on the gateway and the api. Measured at the default load (500 devices a gateway): the backlog of a
    /// restarted gateway's devices delivered 2.1 s after it served again; websocket-cut's 5 s gateway cut cost 6.6–8.6 s.
    /// </summary>
    public static readonly TimeSpan ReconnectAll = TimeSpan.FromSeconds(3.5);

    /// <summary>A consumer group settling after a member joins or leaves: join, sync and the first fetch.</summary>
    public static readonly TimeSpan Rebalance = TimeSpan.FromSeconds(4);

    /// <summary>A Kafka client finding a partition's leader again after a broker fault: metadata refresh and retry backoff.</summary>
    public static readonly TimeSpan KafkaRetry = TimeSpan.FromSeconds(2);

    /// <summary>What a ×5–10 burst of up to 5 s leaves queued, cleared at the system's capacity (docs/load.md).</summary>
    public static readonly TimeSpan SpikeBacklog = TimeSpan.FromSeconds(5);

    /// <summary>The steady phase's p99 bound, as a part of a fault budget.</summary>
    public static readonly TimeSpan SteadyP99 = TimeSpan.FromMilliseconds(500);

    /// <summary>Headroom over the sum of the parts for a busy two-core machine.</summary>
    public const double Margin = 1.5;

    /// <summary>The fault phase's SLO: p99 within <see cref="Margin"/> × the sum of <paramref name="parts"/>.</summary>
    public static LatencyThreshold Fault(params TimeSpan[] parts)
    {
        var ms = Math.Ceiling(parts.Sum(p => p.TotalMilliseconds) * Margin);
        return LatencyThreshold.Parse(string.Create(CultureInfo.InvariantCulture, $"fault:p99={ms:0}ms"));
    }

    /// <summary>A consumer that stops without leaving holds its partitions until the session times out, then the group rebalances.</summary>
    public static TimeSpan DeadMember(int sessionTimeoutMs) => TimeSpan.FromMilliseconds(sessionTimeoutMs) + Rebalance;
}
