namespace Chaos.Harness.Proxy.Toxics;

/// <summary><c>slow_close</c>: when the source closes, the close reaches the destination <c>delay</c> ms later.</summary>
internal sealed class SlowCloseToxic : ToxicBehavior
{
    public static readonly SlowCloseToxic Instance = new();

    private static readonly string[] Names = ["delay"];

    public override string Type => "slow_close";

    public override IReadOnlyList<string> AttributeNames => Names;

    public override async ValueTask OnEndAsync(ToxicContext context, Func<ValueTask> next)
    {
        await context.DelayAsync(TimeSpan.FromMilliseconds(context["delay"]));
        await next();
    }
}
