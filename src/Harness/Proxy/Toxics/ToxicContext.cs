namespace Chaos.Harness.Proxy.Toxics;

/// <summary>One toxic on one direction of one connection: its per-connection state and what it may do to the link.</summary>
internal sealed class ToxicContext
{
    private readonly IToxicLink _link;

    public ToxicContext(IToxicLink link, ToxicDefinition definition)
    {
        _link = link;
        Definition = definition;
        State = definition.Behavior.NewState();
        Reroll(definition);
    }

    public ToxicDefinition Definition { get; private set; }

    /// <summary>Per-connection state of stateful toxics (limit_data's byte count); kept across updates.</summary>
    public object? State { get; }

    /// <summary>Whether the toxicity roll chose this connection.</summary>
    public bool Active { get; private set; }

    /// <summary>When this definition started acting on the link (TimeProvider timestamp).</summary>
    public long ActivatedAt { get; private set; }

    public TimeProvider Time => _link.Time;

    public Random Random => _link.Random;

    public CancellationToken ConnectionClosed => _link.ConnectionClosed;

    public long this[string attribute] => Definition.Attribute(attribute);

    /// <summary>An update replaced the definition: like Toxiproxy, the toxic restarts (new roll, new timers).</summary>
    public void Reroll(ToxicDefinition definition)
    {
        Definition = definition;
        Active = definition.Toxicity >= 1f || _link.Random.NextSingle() < definition.Toxicity;
        ActivatedAt = _link.Time.GetTimestamp();
    }

    /// <summary>Waits; returns false early when the toxic was removed or updated. Throws when the connection closes.</summary>
    public async ValueTask<bool> DelayAsync(TimeSpan delay)
    {
        if (Definition.Retired.IsCancellationRequested)
        {
            return false;
        }

        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        using var either = CancellationTokenSource.CreateLinkedTokenSource(ConnectionClosed, Definition.Retired);
        try
        {
            await Task.Delay(delay, Time, either.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ConnectionClosed.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Waits until the toxic is removed or updated. Throws when the connection closes.</summary>
    public async ValueTask WaitUntilRemovedAsync()
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ConnectionClosed, Definition.Retired);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, Time, either.Token);
        }
        catch (OperationCanceledException) when (!ConnectionClosed.IsCancellationRequested)
        {
            // removed or updated: go on
        }
    }

    /// <summary>Waits regardless of the toxic being removed (Toxiproxy's reset_peer does not abort its timer).</summary>
    public Task DelayUntilClosedAsync(TimeSpan delay) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, Time, ConnectionClosed);

    /// <summary>Closes the whole connection (FIN to both peers).</summary>
    public Task CloseConnectionAsync() => _link.CloseConnectionAsync();

    /// <summary>Resets the whole connection (RST to both peers).</summary>
    public Task ResetConnectionAsync() => _link.ResetConnectionAsync();
}
