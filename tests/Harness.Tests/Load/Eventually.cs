namespace Chaos.Harness.Tests.Load;

/// <summary>Polls a condition that another thread will make true, failing after a generous bound.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > limit)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
    }
}
