using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Reports;

// Checks a history with the harness taken from a package: the verdict on stdout, the reports in the folder, and the
// harness's exit-code contract (0 every promise held, 1 one broke, 2 undecided or the check could not be done).
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Chaos.PackageConsumer HISTORY.jsonl OUT-DIRECTORY");
    return 2;
}

try
{
    var result = await OfflineCheck.RunAsync(args[0], args[1], HistoryReadMode.Strict, new CheckOptions(), new RunMetadata { Scenario = "package-consumer" }, CancellationToken.None);
    Console.WriteLine($"verdict: {result.Verdict.ToString().ToLowerInvariant()}");
    return result.Verdict switch
    {
        Verdict.Valid => 0,
        Verdict.Invalid => 1,
        _ => 2,
    };
}
catch (Exception e) when (e is IOException or HistoryFormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
