namespace Chaos.Harness.Reports;

/// <summary>A promise the system makes, the checker that judges it and the anomalies that break it;
/// <paramref name="MoreCheckers"/> names further checkers that judge a part of it (device reconnects beside job
/// retries).</summary>
public sealed record Promise(string Name, string Title, string Checker, IReadOnlyList<string> Anomalies, IReadOnlyList<string>? MoreCheckers = null)
{
    /// <summary>Every checker that judges this promise.</summary>
    public IEnumerable<string> Checkers => MoreCheckers is null ? [Checker] : [Checker, .. MoreCheckers];
}
