using System.Collections.Concurrent;

namespace Chaos.Reference.Faults;

/// <summary>The armed failpoints of this process. Hit counts are per name; probability draws come from the process seed.</summary>
internal sealed class Failpoints(int seed)
{
    private readonly ConcurrentDictionary<string, (FailpointSpec Spec, int Hits)> _armed = new(StringComparer.Ordinal);
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    public void Arm(FailpointSpec spec) => _armed[spec.Name] = (spec, 0);

    public bool Disarm(string name) => _armed.TryRemove(name, out _);

    public IReadOnlyList<object> Describe() =>
        [.. _armed.Values.Select(a => new { name = a.Spec.Name, action = a.Spec.Action.ToString().ToLowerInvariant(), a.Spec.DelayMs, a.Spec.Nth, a.Spec.AndAfter, a.Spec.Probability, hits = a.Hits })];

    /// <summary>Called at the named point; crashes, delays or throws when armed and triggered.</summary>
    public ValueTask HitAsync(string name, CancellationToken cancellationToken)
    {
        if (_armed.IsEmpty || !_armed.ContainsKey(name))
        {
            return ValueTask.CompletedTask;
        }

        FailpointSpec spec;
        bool fire;
        lock (_gate)
        {
            if (!_armed.TryGetValue(name, out var entry))
            {
                return ValueTask.CompletedTask;
            }

            var hits = entry.Hits + 1;
            _armed[name] = (entry.Spec, hits);
            spec = entry.Spec;
            fire = spec switch
            {
                { Nth: { } n, AndAfter: true } => hits >= n,
                { Nth: { } n } => hits == n,
                { Probability: { } p } => _random.NextDouble() < p,
                _ => true,
            };
        }

        if (!fire)
        {
            return ValueTask.CompletedTask;
        }

        switch (spec.Action)
        {
            case FailpointAction.Crash:
                Console.Error.WriteLine($"failpoint {name}: crash");
                Console.Error.Flush();
                ProcessExit.Immediately(137);
                return ValueTask.CompletedTask;
            case FailpointAction.Delay:
                return new ValueTask(Task.Delay(spec.DelayMs, cancellationToken));
            default:
                throw new FailpointException($"failpoint {name} fired");
        }
    }

    /// <summary>Synchronous form for the Kafka consume loops (dedicated threads).</summary>
    public void Hit(string name)
    {
        var task = HitAsync(name, CancellationToken.None);
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }
}
