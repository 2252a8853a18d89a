using BenchmarkDotNet.Running;
using Chaos.Benchmarks.Load;

// `load` is a timed run of the open-model generator (see docs/load.md); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "load")
{
    return await LoadBenchmark.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
