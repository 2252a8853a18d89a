using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.Coverage;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Faults.Storage;
using Chaos.Harness.History;
using Chaos.Harness.Load;
using Chaos.Harness.Proxy;
using Chaos.Harness.Reports;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Runs;

/// <summary>
/// Runs one scenario through the run phases: 1 start the topology and wait healthy; 2 warm-up load; 3 the fault phase
/// under load; 4 heal every fault; 5 quiesce; 6 the bounded final drain; 7 check; 8 report. Whatever happens, every
/// fault is healed and every process stopped before it returns.
/// </summary>
public static class RunPipeline
{
    private const string DefectClientNoDedupe = "client-no-dedupe";

    /// <summary>
    /// Past this schedule lag (p99 of actual − intended start of the sends) the harness itself was the bottleneck:
    /// the run records <c>overloaded</c> and an SLO breach becomes undecided (docs/load.md, "An overloaded harness").
    /// </summary>
    public static readonly TimeSpan OverloadLag = TimeSpan.FromMilliseconds(100);

    /// <summary>The progress phase of <see cref="RunOptions.Idle"/>: reported to the progress observer, never recorded in
    /// the history (no load runs in it, so no checker has anything to judge).</summary>
    public const string IdlePhase = "idle";

    /// <summary>The run folder's mount point of the storage volume (<see cref="StorageVolume"/>), when one is mounted.</summary>
    public const string StorageVolumeDirectory = "storage";

    /// <summary>The run folder's folder of the slow-fsync shim (<see cref="FsyncShim"/>) and its control file, when built.</summary>
    public const string FsyncShimDirectory = "fsync-shim";

    public static async Task<RunOutcome> RunAsync(Scenario scenario, RunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // what the scenario needs of the system, checked by its adapter before anything is made
        var adapter = options.System!;
        var requirements = scenario.ConfigureSystem(new SystemRequirements());
        requirements.Validate();
        adapter.CheckRequirements(requirements);
        if (scenario.ConfigureWorkload(options.Workload).JobRate > 0 && !adapter.Capabilities.Contains(Faults.Kinds.FaultCapabilities.Jobs))
        {
            throw new ArgumentException(
                $"{scenario.Name} submits jobs, and the system '{adapter.Name}' runs none (it lacks the '{Faults.Kinds.FaultCapabilities.Jobs}' capability): give --job-rate 0, or a scenario without jobs",
                nameof(options));
        }

        var directory = Path.GetFullPath(options.OutputDirectory);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            // a run folder holds one run: an old run's system.db would be this system's database (its inboxes replayed
            // to this run's devices as "unexpected" messages) and its files would be mixed with this run's
            throw new ArgumentException($"the run folder {directory} is not empty: give a new or empty --out (nothing in it was touched)", nameof(options));
        }

        Directory.CreateDirectory(directory);
        var historyPath = Path.Combine(directory, "history.jsonl");
        var started = options.TimeProvider.GetUtcNow();
        var duration = options.Duration ?? scenario.DefaultDuration;
        var phase = "start";
        string? failure = null;
        string? vacuous = null;
        IReadOnlyList<string> environmentProblems = [];
        string? machine = null;
        DrainOutcome? drain = null;

        var workloadOptions = scenario.ConfigureWorkload(options.Workload) with
        {
            ClientDropsDuplicates = !options.Defects.Contains(DefectClientNoDedupe),
        };
        if (workloadOptions is { PersistSequences: true, SequenceDirectory: null })
        {
            workloadOptions = workloadOptions with { SequenceDirectory = Path.Combine(directory, "devices") };
        }

        var checkOptions = CheckOptionsFor(scenario, workloadOptions, options.LatencySlos);
        var deploymentRequest = new DeploymentRequest
        {
            Seed = options.Seed,
            Requirements = requirements,
            Defects = options.Defects,
            Postgres = options.Postgres,
            KafkaBootstrap = options.KafkaBootstrap,
            FailurePathDirectory = Path.Combine(directory, FailurePathReport.DirectoryName),
            RequestTimeout = workloadOptions.RequestTimeout,
        };

        var schedule = options.Schedule ?? scenario.BuildSchedule(options.Seed, duration, options.ShapeFor(requirements));
        await FaultScheduleFile.SaveAsync(schedule, Path.Combine(directory, "schedule.json"), cancellationToken);
        // how this scenario's history is judged, so `chaos check` on the saved run reaches the same verdict
        await File.WriteAllTextAsync(Path.Combine(directory, CheckOptionsFile.FileName), CheckOptionsFile.ToJson(checkOptions), cancellationToken);
        var history = HistoryWriter.Create(historyPath, options.TimeProvider);
        await using (history)
        {
            // The jobs' payment provider, hosted here so the history holds every call the jobs made as the harness saw it
            // (docs/checkers.md). Declared before the topology: disposed after it, so no jobs instance outlives it.
            await using var downstream = await DownstreamProvider.StartAsync(
                new DownstreamProviderOptions { Seed = options.Seed, History = history, TimeProvider = options.TimeProvider }, cancellationToken);
            deploymentRequest = deploymentRequest with { DownstreamUrl = downstream.Address };
            // the run's own PostgreSQL database, created in the start phase below; declared before the topology, so it is
            // dropped after every node that used it has stopped
            await using var database = new RunDatabaseHolder();
            // the storage volume the system's SQLite store lives on when the schedule makes the disk full, and the shim that
            // holds its syncs when the schedule makes them slow: made once the topology (and so the harness guard) exists,
            // let go after every node that wrote to it has stopped
            using var storage = new StorageHolder();
            await using var topology = await TopologyFactory.CreateAsync(options.Topology, directory, options.AllowRemote, cancellationToken);
            DeployedSystem? deployed = null;
            ChatWorkload? workload = null;
            DeviceProxies? proxies = null;
            RunContext? context = null;
            using var ticker = new CancellationTokenSource();
            Task? reporter = null;
            try
            {
                if (options.Postgres is { } postgres)
                {
                    database.Database = await RunDatabase.CreateAsync(postgres, options.TimeProvider, cancellationToken);
                    deploymentRequest = deploymentRequest with { Postgres = database.Database.ConnectionString };
                }

                if (StorageFullFault.NeededBy(schedule))
                {
                    storage.Volume = StorageVolume.Mount(Path.Combine(directory, StorageVolumeDirectory));
                    deploymentRequest = deploymentRequest with { StorageDirectory = storage.Volume.Directory };
                }

                if (SlowFsyncFault.NeededBy(schedule))
                {
                    // the store in a directory of its own (the volume when there is one), whose files' syncs the shim holds
                    var store = deploymentRequest.StorageDirectory ?? Directory.CreateDirectory(Path.Combine(directory, StorageVolumeDirectory)).FullName;
                    deploymentRequest = deploymentRequest with { StorageDirectory = store };
                    storage.Shim = FsyncShim.Build(Path.Combine(directory, FsyncShimDirectory), store);
                    (topology as ProcessTopology ?? throw new InvalidOperationException("slow-fsync preloads its shim into the nodes, and only the processes topology starts them"))
                        .AddNodeEnvironment(storage.Shim.NodeEnvironment);
                }

                deployed = await adapter.DeployAsync(deploymentRequest, topology, cancellationToken);
                var system = deployed.Deployment;
                if (workloadOptions.ProxyGateways)
                {
                    proxies = await DeviceProxies.StartAsync(system, options.Seed, cancellationToken);
                }

                workload = new ChatWorkload(deployed.Api, proxies?.HubUrls ?? system.DeviceEndpoints, adapter.Devices, history, workloadOptions, options.Seed, options.TimeProvider);
                context = new RunContext(options, topology, system, workload, history, schedule, downstream) { Proxies = proxies, StorageVolume = storage.Volume, FsyncShim = storage.Shim };
                var ctx = context;
                reporter = ReportProgressAsync(() => phase, ctx, progress, options.TimeProvider, ticker.Token);
                await workload.ConnectDevicesAsync(cancellationToken);
                phase = "settle";
                if (!await workload.SettleAsync(TimeSpan.FromSeconds(60), cancellationToken))
                {
                    throw new InvalidOperationException("the system did not carry a canary notification (and job) end to end within 60 s of starting");
                }

                if (options.Idle > TimeSpan.Zero)
                {
                    // a deployed, settled system with nothing to do: `chaos capacity` measures idle CPU here
                    phase = IdlePhase;
                    await Task.Delay(options.Idle, options.TimeProvider, cancellationToken);
                }

                // phases 2–4: one open-model load spans warm-up, fault phase and recovery; the nemesis runs beside it
                // the ramp (a tenth of the rate rising to all of it) is not steady state: no SLO judges it (RunOptions.Ramp)
                // recovery is load after the faults are healed: a schedule with no fault has nothing to recover from
                var recovery = schedule.Entries.Count == 0 ? TimeSpan.Zero : options.Recovery;
                var loadLength = options.Ramp + options.Warmup + duration + recovery;
                var sends = new OpenLoadGenerator(new OpenLoadOptions
                {
                    Profile = options.Ramp > TimeSpan.Zero
                        ? ArrivalProfile.Stages(
                            new RateSegment(options.Ramp, workloadOptions.Rate / 10, workloadOptions.Rate),
                            new RateSegment(loadLength - options.Ramp, workloadOptions.Rate, workloadOptions.Rate))
                        : ArrivalProfile.Constant(workloadOptions.Rate, loadLength),
                    Seed = SeedStreams.Derive(options.Seed, SeedStreams.Sends),
                    TimeProvider = options.TimeProvider,
                });
                OpenLoadGenerator? jobs = workloadOptions.JobRate > 0
                    ? new OpenLoadGenerator(new OpenLoadOptions
                    {
                        Profile = ArrivalProfile.Constant(workloadOptions.JobRate, loadLength),
                        Seed = SeedStreams.Derive(options.Seed, SeedStreams.Jobs),
                        TimeProvider = options.TimeProvider,
                    })
                    : null;

                phase = options.Ramp > TimeSpan.Zero ? RunPhases.Ramp : RunPhases.Steady;
                history.Record(HistoryOps.NemesisProcess, HistoryEventType.Ok, HistoryOps.Phase, new PhaseValue(phase));
                workload.MarkLoadStart();
                var pressure = CpuPressure.Start(options.TimeProvider);
                var sendLoad = sends.RunAsync(workload.SendAsync, cancellationToken);
                var jobLoad = jobs?.RunAsync(workload.SubmitJobAsync, cancellationToken) ?? Task.FromResult<LoadResult?>(null)!;
                if (options.Ramp > TimeSpan.Zero)
                {
                    await Task.Delay(options.Ramp, options.TimeProvider, cancellationToken);
                    phase = RunPhases.Steady;
                    history.Record(HistoryOps.NemesisProcess, HistoryEventType.Ok, HistoryOps.Phase, new PhaseValue(RunPhases.Steady));
                }

                await Task.Delay(options.Warmup, options.TimeProvider, cancellationToken);
                phase = RunPhases.Fault;
                history.Record(HistoryOps.NemesisProcess, HistoryEventType.Ok, HistoryOps.Phase, new PhaseValue(RunPhases.Fault));
                try
                {
                    await scenario.RunFaultPhaseAsync(context, duration, cancellationToken);
                }
                finally
                {
                    phase = "heal";
                    await HealAsync(scenario, context);
                }

                phase = RunPhases.Recovery;
                history.Record(HistoryOps.NemesisProcess, HistoryEventType.Ok, HistoryOps.Phase, new PhaseValue(RunPhases.Recovery));
                var sendResult = await sendLoad;
                await jobLoad;
                var lag = sendResult.ScheduleLagSummary.P99;
                machine = DescribeMachine(lag, pressure?.Share());
                if (lag > OverloadLag)
                {
                    // latency is measured from intended starts, so a late harness adds its own delay to every sample
                    history.Record(HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.Overloaded, new MarkerValue(Detail:
                        string.Create(CultureInfo.InvariantCulture, $"the load generator's schedule lag p99 was {lag.TotalMilliseconds:0} ms (> {OverloadLag.TotalMilliseconds:0} ms): the harness could not start its sends on time; lower --rate, --users or --devices")));
                }

                if (sendResult.Overflowed > 0)
                {
                    history.Record(HistoryOps.NemesisProcess, HistoryEventType.Info, "load", new MarkerValue(Detail: $"{sendResult.Overflowed} sends could not be started (in-flight limit)"));
                }

                // phase 5: quiesce — let in-flight work settle before the drain reads
                phase = "quiesce";
                await Task.Delay(TimeSpan.FromSeconds(1), options.TimeProvider, cancellationToken);

                // phase 6: the bounded final drain
                phase = RunPhases.Drain;
                history.Record(HistoryOps.NemesisProcess, HistoryEventType.Ok, HistoryOps.Phase, new PhaseValue(RunPhases.Drain));
                drain = await workload.DrainAsync(options.DrainTimeout, cancellationToken);
                // every node of the system must be up again now: one that is not is the system's failure to recover
                environmentProblems = NodeRecovery.Record(history, system.Nodes);
                vacuous = await scenario.VerifyFaultsTookEffectAsync(context, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                failure = $"run aborted during {phase}";
            }
            catch (Exception e) when (e is TopologyException or Kafka.EmbeddedKafkaHostException or Kafka.KafkaMockException or HttpRequestException or InvalidOperationException or ArgumentException or IOException or Api.SystemReadException or Deployment.ExistingKafkaException)
            {
                failure = $"run failed during {phase}: {e.Message}";
            }
            finally
            {
                if (context is not null)
                {
                    await HealAsync(scenario, context);
                }

                if (drain is null)
                {
                    // no final drain: loss-type promises cannot be decided, and the history says so for `chaos check`
                    history.Record(HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.Drain, new MarkerValue(Detail: "not reached: " + (failure ?? "run stopped")));
                }

                await ticker.CancelAsync();
                if (reporter is not null)
                {
                    await reporter;
                }

                if (workload is not null)
                {
                    await workload.DisposeAsync();
                }

                deployed?.Dispose();
                if (proxies is not null)
                {
                    await proxies.DisposeAsync();
                }
            }
        }

        // which failure-handling branches of the system the run reached (docs/failure-paths.md); the nodes wrote their
        // last counts when the topology stopped them. A tiny write: not cancelled with an aborted run.
        var failurePaths = FailurePathReport.ReadNodes(directory);
        await failurePaths.SaveAsync(directory, CancellationToken.None);

        // phases 7–8: check the history as written (the same code `chaos check` runs) and report
        var events = await ReadHistoryAsync(historyPath);
        var result = StandardChecks.Check(events, checkOptions);
        var problems = new List<string>(environmentProblems);
        if (vacuous is not null)
        {
            problems.Add($"the faults did not take effect: {vacuous}");
        }

        if (drain is { Finished: false })
        {
            problems.Add($"the final drain did not finish within {options.DrainTimeout.TotalSeconds:0}s ({drain})");
        }

        result = RunVerdict.Settle(result, failure, problems);

        var reproduce = ReproduceCommand.For(scenario.Name, options, duration);
        var metadata = new RunMetadata
        {
            Scenario = scenario.Name,
            Seed = options.Seed,
            StartedAt = started,
            Elapsed = options.TimeProvider.GetUtcNow() - started,
            LatencySlos = checkOptions.LatencySlos,
            Properties = new Dictionary<string, string>
            {
                ["duration"] = duration.ToString("c", CultureInfo.InvariantCulture),
                ["ramp"] = options.Ramp.ToString("c", CultureInfo.InvariantCulture),
                ["warmup"] = options.Warmup.ToString("c", CultureInfo.InvariantCulture),
                ["rate"] = workloadOptions.Rate.ToString(CultureInfo.InvariantCulture),
                ["job-rate"] = workloadOptions.JobRate.ToString(CultureInfo.InvariantCulture),
                ["users"] = workloadOptions.Users.ToString(CultureInfo.InvariantCulture),
                ["devices"] = workloadOptions.Devices.ToString(CultureInfo.InvariantCulture),
                ["system"] = adapter.Name,
                ["defects"] = options.Defects.Count == 0 ? "none" : string.Join(',', options.Defects),
                ["topology"] = options.Topology.ToString().ToLowerInvariant(),
                ["drain"] = drain?.ToString() ?? "not reached",
                ["failure-paths"] = failurePaths.Summary(),
                ["machine"] = machine ?? "not measured: the load did not run to its end",
                ["broker"] = "embedded librdkafka mock cluster: acks are not honoured and a plain idempotent producer's retries can duplicate at the broker",
                ["reproduce"] = reproduce,
            },
        };
        await RunReport.WriteAsync(new ReportInput(events, result, metadata), directory, CancellationToken.None);
        var message = result.Verdict switch
        {
            Verdict.Valid => "every promise held",
            Verdict.Invalid => "a promise was broken: " + string.Join(", ", result.Anomalies.Where(a => a.Value.Count > 0).Select(a => $"{a.Key} ×{a.Value.Count}"))
                + (problems.Count > 0 ? " (note: " + string.Join("; ", problems) + ")" : "")
                + LatencyBreach(result, machine),
            _ => "undecided: " + string.Join("; ", result.UnknownReasons),
        };
        return new RunOutcome(result.Verdict, directory, result, message) { Reproduce = reproduce };
    }

    /// <summary>
    /// How the machine carried the load: the send generator's schedule lag p99 (past <see cref="OverloadLag"/> the
    /// harness itself was late) and the share of the load's wall time in which some task on the machine waited for a CPU
    /// (<see cref="CpuPressure"/>). Shown in the report, and after a latency breach, so a breach on a crowded machine is
    /// told from one on an idle machine without opening the run (docs/load.md, "How crowded the machine was").
    /// </summary>
    internal static string DescribeMachine(TimeSpan scheduleLagP99, double? cpuPressure) =>
        string.Create(CultureInfo.InvariantCulture, $"send schedule lag p99 {scheduleLagP99.TotalMilliseconds:0.#} ms; ") +
        (cpuPressure is { } share
            ? string.Create(CultureInfo.InvariantCulture, $"some task waited for a CPU {share * 100:0} % of the load's time (/proc/pressure/cpu)")
            : "CPU pressure not published here (/proc/pressure/cpu)");

    /// <summary>After a latency-SLO breach: what broke (the first breach's figure) and how crowded the machine was.</summary>
    private static string LatencyBreach(CheckResult result, string? machine) =>
        result.Anomalies.TryGetValue(AnomalyNames.LatencySlo, out var slo) && slo.Count > 0 && slo.Examples.Count > 0
            ? $" [{CutAtDetail(slo.Examples[0].Explanation)}; machine: {machine ?? "not measured"}]"
            : "";

    private static string CutAtDetail(string explanation) =>
        explanation.IndexOf(" over ", StringComparison.Ordinal) is var at and > 0 ? explanation[..at] : explanation;

    /// <summary>
    /// What this run's history is judged by: the scenario's options, with the device clients' reconnect pause (unless the
    /// scenario set one), except that a run told to submit no jobs
    /// (<c>--job-rate 0</c>) cannot be required to exercise the job promises — they are then reported as not exercised
    /// without making the verdict unknown. Saved as check-options.json, so <c>chaos check</c> judges alike.
    /// </summary>
    internal static CheckOptions CheckOptionsFor(Scenario scenario, ChatWorkloadOptions workload, IReadOnlyList<LatencyThreshold>? latencySlos = null)
    {
        var options = latencySlos is null ? scenario.CheckOptions : scenario.CheckOptions with { LatencySlos = latencySlos };
        if (options.Reconnects.MinDelay is null)
        {
            // the pause the run gives its device clients: their reconnect pacing is judged against it
            options = options with { Reconnects = options.Reconnects with { MinDelay = ChatWorkload.ReconnectMinDelay, MaxDelay = options.Reconnects.MaxDelay ?? ChatWorkload.ReconnectMaxDelay } };
        }

        return workload.JobRate > 0
            ? options
            : options with
            {
                RequiredPromises = [.. options.RequiredPromises.Where(p => p is not (PromiseNames.JobsExactlyOnce or PromiseNames.RetriesWithinBackoff))],
            };
    }

    private static async Task HealAsync(Scenario scenario, RunContext context)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await scenario.HealAllAsync(context, bound.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context.History.Record(HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.Heal, new MarkerValue(Detail: "heal failed: " + e.Message));
        }
    }

    private static async Task<IReadOnlyList<HistoryEvent>> ReadHistoryAsync(string path)
    {
        var read = await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, CancellationToken.None);
        return read.Events;
    }

    private static async Task ReportProgressAsync(Func<string> phase, RunContext context, IProgress<RunProgress>? progress, TimeProvider time, CancellationToken cancellationToken)
    {
        if (progress is null)
        {
            return;
        }

        var start = time.GetTimestamp();
        var lastOk = 0L;
        var lastAt = start;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                var now = time.GetTimestamp();
                var counters = context.Workload.Counters;
                var total = counters.Ok + counters.Fail + counters.Info;
                var rate = (total - lastOk) / Math.Max(0.001, time.GetElapsedTime(lastAt, now).TotalSeconds);
                lastOk = total;
                lastAt = now;
                var faults = context.ActiveFaults;
                progress.Report(new RunProgress(phase(), time.GetElapsedTime(start, now), rate, counters.Ok, counters.Fail, counters.Info, context.History.Count, faults));
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    /// <summary>
    /// The run's storage faults' means, when its schedule needs them: unmounts the storage volume and lets go of the
    /// slow-fsync shim's control file when the run's scope ends.
    /// </summary>
    private sealed class StorageHolder : IDisposable
    {
        public StorageVolume? Volume { get; set; }

        public FsyncShim? Shim { get; set; }

        public void Dispose()
        {
            Shim?.Dispose();
            Volume?.Dispose();
        }
    }

    /// <summary>Drops the run's database, if one was made, when the run's scope ends; says so when it could not.</summary>
    private sealed class RunDatabaseHolder : IAsyncDisposable
    {
        public RunDatabase? Database { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Database is not null)
            {
                await Database.DisposeAsync();
                if (Database.DropError is { } error)
                {
                    await Console.Error.WriteLineAsync($"chaos: {error}");
                }
            }
        }
    }
}
