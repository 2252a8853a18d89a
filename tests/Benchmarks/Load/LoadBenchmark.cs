using System.Diagnostics;
using System.Globalization;
using Chaos.Harness.Load;

namespace Chaos.Benchmarks.Load;

/// <summary>
/// `dotnet run -c Release --project tests/Benchmarks -- load [--rate N] [--seconds S] [--stall-rate N]`.
/// (a) holds a constant rate against a no-op target and checks rate and schedule lag;
/// (b) stalls the target for one second mid-run and prints what the open model and a closed loop see.
/// A timed run, not a BenchmarkDotNet job: what is measured is the generator's schedule over seconds.
/// </summary>
internal static class LoadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rate = Option(args, "--rate", 20_000);
        var seconds = Option(args, "--seconds", 10);
        var stallRate = Option(args, "--stall-rate", 2_000);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {LoadAverage()}");

        // Warm-up: JIT, thread pool growth.
        await new OpenLoadGenerator(new OpenLoadOptions { Profile = ArrivalProfile.Constant(rate, TimeSpan.FromSeconds(2)) })
            .RunAsync((_, _) => ValueTask.CompletedTask);

        var ok = true;
        var spinOnly = Array.IndexOf(args, "--spin-only") >= 0;
        if (Array.IndexOf(args, "--spin-window-us") >= 0)
        {
            SpinningScheduleWaiter.SpinWindowMicroseconds = Option(args, "--spin-window-us", 100);
            Console.WriteLine($"spin window: {SpinningScheduleWaiter.SpinWindowMicroseconds} us");
        }

        foreach (var dispatch in Array.IndexOf(args, "--inline-only") >= 0 ? [LoadDispatch.Inline] : new[] { LoadDispatch.ThreadPool, LoadDispatch.Inline })
        {
            ok &= await ConstantRateAsync(rate, seconds, dispatch, spinOnly);
        }

        if (stallRate > 0)
        {
            await StallAsync(stallRate, seconds);
        }

        Console.WriteLine($"load average after: {LoadAverage()}");
        return ok ? 0 : 1;
    }

    private static async Task<bool> ConstantRateAsync(int rate, int seconds, LoadDispatch dispatch, bool spinOnly)
    {
        Console.WriteLine();
        Console.WriteLine($"(a) constant {rate} ops/s for {seconds} s against a no-op target, dispatch {dispatch}{(spinOnly ? ", spin only" : string.Empty)}");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(rate, TimeSpan.FromSeconds(seconds)),
            LateThreshold = TimeSpan.FromMilliseconds(2),
            Dispatch = dispatch,
            SpinOnly = spinOnly,
        }).RunAsync((_, _) => ValueTask.CompletedTask);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        var lag = result.ScheduleLagSummary;
        var rateError = Math.Abs(result.AchievedRate - rate) / rate;
        Print("  started / intended", $"{result.Started} / {result.Intended} (overflowed {result.Overflowed}, late >2 ms {result.Late}, failed {result.Failed})");
        Print("  achieved rate", F($"{result.AchievedRate:0.0} ops/s ({rateError:P2} off target; scheduling took {result.SchedulingElapsed.TotalSeconds:0.000} s)"));
        Print("  schedule lag", Summary(lag));
        Print("  latency (from intended)", Summary(result.LatencySummary));
        Print("  CPU time", F($"{cpu.TotalSeconds:0.0} s over {seconds} s"));
        var rateOk = rateError <= 0.01;
        var lagOk = lag.P99 < TimeSpan.FromMilliseconds(2);
        Console.WriteLine($"  rate within 1 %: {(rateOk ? "PASS" : "FAIL")}; lag p99 < 2 ms: {(lagOk ? "PASS" : "FAIL")}");
        return rateOk && lagOk;
    }

    private static async Task StallAsync(int rate, int seconds)
    {
        var stallStart = TimeSpan.FromSeconds(seconds / 2.0 - 0.5);
        var stallEnd = stallStart + TimeSpan.FromSeconds(1);
        Console.WriteLine();
        Console.WriteLine(F($"(b) {rate} ops/s for {seconds} s; the target stops answering from {stallStart.TotalSeconds:0.0} s to {stallEnd.TotalSeconds:0.0} s (calls made then are answered at {stallEnd.TotalSeconds:0.0} s)"));
        var profile = ArrivalProfile.Constant(rate, TimeSpan.FromSeconds(seconds));

        // Both runs use the same target: a clock from the run's start and a window in which nothing answers.
        static LoadOperation Target(TimeSpan stallStart, TimeSpan stallEnd) => async (invocation, ct) =>
        {
            var at = invocation.ActualStart;
            if (at >= stallStart && at < stallEnd)
            {
                await Task.Delay(stallEnd - at, ct);
            }
        };

        var open = await new OpenLoadGenerator(new OpenLoadOptions { Profile = profile }).RunAsync(Target(stallStart, stallEnd));
        var closed = await new ClosedLoopGenerator(profile, seed: 0).RunAsync(Target(stallStart, stallEnd));
        Print("  open model  latency", Summary(open.LatencySummary));
        Print("  closed loop latency", Summary(closed.LatencySummary));
        Print("  open model  counts", $"{open.Completed} ok of {open.Intended}, overflowed {open.Overflowed}");
        Print("  closed loop counts", $"{closed.Completed} ok of {closed.Intended}");
        Console.WriteLine("  per second (p99 latency, open | closed):");
        for (var s = 0; s < Math.Min(open.TimeSeries.Count, closed.TimeSeries.Count); s++)
        {
            Console.WriteLine(F($"    {s,3} s  {open.TimeSeries[s].P99.TotalMilliseconds,9:0.0} ms | {closed.TimeSeries[s].P99.TotalMilliseconds,9:0.0} ms"));
        }
    }

    private static string Summary(LatencySummary s) =>
        F($"p50 {Ms(s.P50)}  p99 {Ms(s.P99)}  p99.9 {Ms(s.P999)}  max {Ms(s.Max)}  (n={s.Count})");

    private static string Ms(TimeSpan t) => F($"{t.TotalMilliseconds:0.000} ms");

    private static void Print(string label, string value) => Console.WriteLine($"{label,-26}{value}");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
