using Chaos.Harness.Deployment;
using Chaos.Harness.Devices;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>
/// The reference system's fault kinds, declared once (<see cref="FaultKinds"/>): every name a scenario may schedule
/// is declared, every schedule a scenario builds passes its kinds' checks, bad values of every family are refused
/// naming the field (several were silently replaced by a default, or threw mid-run, before), and docs/faults.md lists
/// every kind with its parameters and defaults.
/// </summary>
public sealed class FaultKindsTests
{
    public static TheoryData<string> Scenarios => new(ScenarioCatalog.Everything.Select(s => s.Name));

    [Fact]
    public void The_declared_kinds_are_exactly_the_faults_the_scenarios_may_schedule()
    {
        var scheduled = ScenarioCatalog.Everything.SelectMany(s => s.Catalogue.Faults).Distinct().Order(StringComparer.Ordinal);

        FaultKinds.Registry.All.Select(k => k.Name).Order(StringComparer.Ordinal).Should().Equal(scheduled);
        FaultKinds.Registry.All.Select(k => k.Family).Distinct().Should().BeSubsetOf(["process", "proxy", "kafka", "storage", "downstream", "device", "load"]);
    }

    [Fact]
    public void The_broker_faults_and_only_they_need_the_embedded_kafka()
    {
        // they act through the control channel of the cluster a run starts itself (Deployment/SystemKafka.Control);
        // every other Kafka fault is a client's doing, possible against any cluster
        FaultKinds.Registry.All.Where(k => k.Requires.Contains(FaultCapabilities.EmbeddedKafka)).Select(k => k.Name).Order(StringComparer.Ordinal)
            .Should().Equal("broker-down", "broker-rtt", "coordinator-move", "leader-move", "request-errors", "topic-refused");
        FaultCapabilities.Describe(FaultCapabilities.EmbeddedKafka).Should().Contain("embedded Kafka");
    }

    [Fact]
    public void Failpoints_and_the_downstream_kinds_need_what_the_systems_adapter_offers()
    {
        FaultKinds.Registry.All.Where(k => k.Requires.Contains(FaultCapabilities.Failpoints)).Select(k => k.Name).Should().Equal("failpoint");
        FaultKinds.Registry.All.Where(k => k.Requires.Contains(FaultCapabilities.DownstreamProvider)).Select(k => k.Family).Distinct().Should().Equal("downstream");
        FaultKinds.Registry.All.Where(k => k.Family == "downstream").Should().OnlyContain(k => k.Requires.Contains(FaultCapabilities.DownstreamProvider));
        ReferenceSystemAdapter.Instance.Capabilities.Should().BeEquivalentTo(FaultCapabilities.OfSystems);
    }

    [Theory]
    [InlineData("failpoint", "api-1", "needs failpoints, and the system under test offers none")]
    [InlineData("downstream-failure", "provider", "needs a downstream provider the system calls at the harness's URL")]
    [InlineData("storage-lock", "sqlite", "needs the SQLite store")]
    public void A_schedule_naming_a_kind_the_system_lacks_is_refused_naming_the_entry_and_what_is_missing(string fault, string target, string message)
    {
        var schedule = new FaultSchedule(
            [new FaultScheduleEntry(TimeSpan.FromSeconds(1), "kill", "api-1"), new FaultScheduleEntry(TimeSpan.FromSeconds(2), fault, target)],
            TimeSpan.FromSeconds(10));

        var bare = FaultKinds.Unsupported(schedule, new RunOptions { OutputDirectory = "unused", System = new BareSystem() });
        var reference = FaultKinds.Unsupported(schedule, new RunOptions { OutputDirectory = "unused", System = ReferenceSystemAdapter.Instance });

        bare.Should().StartWith($"faults[1]: {fault} at 2s").And.Contain(message);
        reference.Should().BeNull("the reference system offers failpoints, the provider's calls and SQLite");
    }

    /// <summary>
    /// storage-full needs the run's storage volume (Deployment/StorageVolume): a tmpfs mounted for the SQLite store, so
    /// Linux, root and the processes topology — on containers, or with PostgreSQL, the run is refused naming why.
    /// </summary>
    [Fact]
    public void The_disk_full_kind_needs_a_storage_volume_the_run_can_mount()
    {
        var schedule = new FaultSchedule([new FaultScheduleEntry(TimeSpan.FromSeconds(4), "storage-full", "sqlite")], TimeSpan.FromSeconds(10));
        RunOptions Options(TopologyKind topology, string? postgres = null) =>
            new() { OutputDirectory = "unused", System = ReferenceSystemAdapter.Instance, Topology = topology, Postgres = postgres };

        FaultKinds.Registry.All.Where(k => k.Requires.Contains(FaultCapabilities.StorageVolume)).Select(k => k.Name).Should().Equal("storage-full");
        FaultKinds.Unsupported(schedule, Options(TopologyKind.Containers)).Should()
            .StartWith("faults[0]: storage-full at 4s needs a storage volume the run mounts for the SQLite store, and this run cannot");
        FaultKinds.Unsupported(schedule, Options(TopologyKind.Processes, "Host=127.0.0.1;Database=x")).Should().Contain("needs a storage volume");
        FaultKinds.Unsupported(schedule, Options(TopologyKind.Processes)).Should().Be(
            StorageVolume.Unavailable is null ? null : FaultKinds.Unsupported(schedule, Options(TopologyKind.Containers)),
            "as root on Linux the processes topology mounts one; elsewhere the refusal names why (not root)");
    }

    /// <summary>
    /// slow-fsync needs the run's shim (Deployment/FsyncShim), preloaded into nodes the processes topology starts and
    /// built with a C compiler — on containers, or with PostgreSQL, the run is refused naming why.
    /// </summary>
    [Fact]
    public void The_slow_fsync_kind_needs_the_shim_the_run_builds()
    {
        var schedule = new FaultSchedule([new FaultScheduleEntry(TimeSpan.FromSeconds(4), "slow-fsync", "sqlite")], TimeSpan.FromSeconds(10));
        RunOptions Options(TopologyKind topology, string? postgres = null) =>
            new() { OutputDirectory = "unused", System = ReferenceSystemAdapter.Instance, Topology = topology, Postgres = postgres };

        FaultKinds.Registry.All.Where(k => k.Requires.Contains(FaultCapabilities.FsyncShim)).Select(k => k.Name).Should().Equal("slow-fsync");
        FaultKinds.Unsupported(schedule, Options(TopologyKind.Containers)).Should()
            .StartWith("faults[0]: slow-fsync at 4s needs the slow-fsync shim preloaded into the nodes, and this run cannot");
        FaultKinds.Unsupported(schedule, Options(TopologyKind.Processes, "Host=127.0.0.1;Database=x")).Should().Contain("needs the slow-fsync shim");
        FaultKinds.Unsupported(schedule, Options(TopologyKind.Processes)).Should().Be(
            FsyncShim.Unavailable is null ? null : FaultKinds.Unsupported(schedule, Options(TopologyKind.Containers)),
            "with a C compiler on Linux the processes topology preloads it; elsewhere the refusal names why");
    }

    /// <summary>A system offering nothing beyond what every system does: only <see cref="Capabilities"/> is read.</summary>
    private sealed class BareSystem : ISystemAdapter
    {
        public string Name => "bare";

        public IReadOnlySet<string> Capabilities { get; } = new HashSet<string>();

        public IDeviceClientFactory Devices => throw new NotSupportedException();

        public void CheckRequirements(SystemRequirements requirements) => throw new NotSupportedException();

        public SystemShape ShapeFor(SystemRequirements requirements) => throw new NotSupportedException();

        public Task<DeployedSystem> DeployAsync(DeploymentRequest request, ITopology topology, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_schedule_a_scenario_builds_passes_its_kinds_checks(string name)
    {
        var scenario = ScenarioCatalog.Find(name)!;
        var entries = new List<FaultScheduleEntry>();
        foreach (var seed in Enumerable.Range(1, 12))
        {
            foreach (var duration in new[] { scenario.DefaultDuration, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(90) })
            {
                entries.AddRange(scenario.BuildSchedule(seed, duration).Entries);
            }
        }

        foreach (var entry in entries)
        {
            var act = () => FaultKinds.Registry.Validate(entry);
            act.Should().NotThrow($"{name} scheduled {entry.Fault} on {entry.Target} at {entry.At}");
        }

        entries.Should().HaveCount(n => n > 0 == scenario.Catalogue.Faults.Count > 0, $"{name} schedules faults exactly when its catalogue names some");
    }

    [Theory]
    [InlineData("reset-mid-frame", "gateway-1", "bytes", "abc", "parameters.bytes: 'abc' is not an integer (reset-mid-frame)")]
    [InlineData("device-reset-mid-frame", "gateway-1", "device", "0", "parameters.device: 0 is outside 1..1000000 (device-reset-mid-frame)")]
    [InlineData("latency", "gateway-2", "latency", "-5", "parameters.latency: -5 is outside 0..60000 (latency)")]
    [InlineData("down", "gateway-1", "bytes", "64", "parameters.bytes: down takes no parameters")]
    [InlineData("downstream-failure", "jobs", "failureRate", "5", "parameters.failureRate: 5 is outside 0..1 (downstream-failure)")]
    [InlineData("downstream-slow", "jobs", "latencyMs", "slow", "parameters.latencyMs: 'slow' is not an integer (downstream-slow)")]
    [InlineData("sleep", "device#1", "device", "two", "parameters.device: 'two' is not an integer (sleep)")]
    [InlineData("fanout", "all-users", "messages", "0", "parameters.messages: 0 is outside 1..1000 (fanout)")]
    [InlineData("burst", "api", "factor", "1e9", "parameters.factor: '1e9' is not an integer (burst)")]
    [InlineData("storage-lock", "sqlite", "seconds", "5", "parameters.seconds: storage-lock takes no parameters")]
    [InlineData("process-kill", "api-1", "signal", "9", "parameters.signal: process-kill takes no parameters")]
    [InlineData("failpoint", "api-1", "hit", "0", "parameters.hit: 0 is outside 1..1000000 (failpoint)")]
    [InlineData("broker-rtt", "all", "rtt", "1h", "parameters.rtt: '1h' is not an integer (broker-rtt)")]
    [InlineData("request-errors", "Produce", "kind", "permanent", "parameters.kind: 'permanent' is not one of retriable, non-retriable (request-errors)")]
    public void A_bad_value_of_any_family_is_refused_naming_the_field(string fault, string target, string key, string value, string message)
    {
        var entry = new FaultScheduleEntry(TimeSpan.Zero, fault, target, TimeSpan.FromSeconds(2), new Dictionary<string, string> { [key] = value });

        var act = () => FaultKinds.Registry.Validate(entry);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void A_device_cut_names_its_device_because_its_target_is_the_proxy()
    {
        var without = new FaultScheduleEntry(TimeSpan.Zero, "device-reset-mid-frame", "gateway-1", TimeSpan.FromSeconds(2));
        var with = new FaultScheduleEntry(TimeSpan.Zero, "device-reset-mid-frame", "gateway-1", TimeSpan.FromSeconds(2), new Dictionary<string, string> { ["device"] = "3" });

        ((Action)(() => FaultKinds.Registry.Validate(without))).Should().Throw<ArgumentException>()
            .WithMessage("parameters.device: device-reset-mid-frame needs it (1..1000000)");
        FaultKinds.Registry.Validate(with);
    }

    [Theory]
    [InlineData("request-errors", "Produce")]
    [InlineData("leader-move", "fanout/0")]
    public void A_target_a_kind_can_check_without_a_run_is_checked(string fault, string good)
    {
        FaultScheduleEntry Entry(string target) => new(TimeSpan.Zero, fault, target, TimeSpan.FromSeconds(2));

        FaultKinds.Registry.Validate(Entry(good));
        ((Action)(() => FaultKinds.Registry.Validate(Entry("nonsense")))).Should().Throw<ArgumentException>().WithMessage("target: 'nonsense' is not*");
    }

    [Fact]
    public void Docs_list_every_kind_with_its_family_and_every_parameter_with_its_default()
    {
        var docs = File.ReadAllLines(RepoFiles.File("docs", "faults.md"));

        foreach (var kind in FaultKinds.Registry.All)
        {
            var row = docs.SingleOrDefault(l => l.StartsWith($"| {kind.Family} | `{kind.Name}` |", StringComparison.Ordinal));
            row.Should().NotBeNull($"docs/faults.md, \"Fault kinds\", has a row for {kind.Name} ({kind.Family})");
            foreach (var p in kind.Parameters)
            {
                row.Should().Contain(p.Default is { } d ? $"`{p.Name}` (`{d}`; {p.Range})" : $"`{p.Name}` ({(p.Required ? "required" : "optional")}; {p.Range})", $"the row of {kind.Name} states {p.Name}'s default and range");
            }

            if (kind.Parameters.Count == 0)
            {
                row.Should().EndWith("| — |", $"{kind.Name} takes no parameters");
            }
        }
    }
}
