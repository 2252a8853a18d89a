using Chaos.Harness.Load;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Load;

/// <summary>
/// A burst far above the steady rate: a second open-model generator of sends at <c>rate</c> per second, started on
/// apply and stopped on heal (and bounded by <c>maxDuration</c> on its own). Its sends are ordinary, recorded sends.
/// </summary>
public sealed class BurstFault(ChatWorkload workload, double rate, TimeSpan maxDuration, long seed) : IFault
{
    private CancellationTokenSource? _stop;
    private Task<LoadResult>? _run;

    public string Name => "burst";

    public string Target => "api";

    /// <summary>What the burst generator did, once healed.</summary>
    public LoadResult? Result { get; private set; }

    public Task ApplyAsync(CancellationToken cancellationToken)
    {
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(rate, maxDuration),
            Seed = seed,
        });
        _stop = new CancellationTokenSource();
        _run = generator.RunAsync(workload.SendOperationStartingNow(), _stop.Token);
        return Task.CompletedTask;
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _run, null) is not { } run)
        {
            return;
        }

        await _stop!.CancelAsync();
        Result = await run.WaitAsync(cancellationToken);
        _stop.Dispose();
    }
}
