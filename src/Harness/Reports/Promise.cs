namespace Chaos.Harness.Reports;

/// <summary>A promise the system makes, the checker that judges it and the anomalies that break it.</summary>
public sealed record Promise(string Name, string Title, string Checker, IReadOnlyList<string> Anomalies);
