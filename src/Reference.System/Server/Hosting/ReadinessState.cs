namespace Chaos.Reference.Hosting;

/// <summary>Set by a role once it serves (consumer subscribed, backplane assigned); /readyz reports it.</summary>
internal sealed class ReadinessState
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
