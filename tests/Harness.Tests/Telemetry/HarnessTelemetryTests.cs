using System.Diagnostics;
using Chaos.Harness.Faults;
using Chaos.Harness.History;
using Chaos.Harness.Runs;
using Chaos.Harness.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Chaos.Harness.Tests.Telemetry;

/// <summary>
/// What the nemesis and the history tell an OpenTelemetry back-end (docs/running.md, "OpenTelemetry"), read through
/// the SDK's in-memory exporters as any host's providers would. Other tests apply faults at the same time, so each
/// test finds its own by a target only it uses.
/// </summary>
public sealed class HarnessTelemetryTests
{
    private sealed class HeldFault(string target, bool failApply = false) : IFault
    {
        public string Name => "kill";

        public string Target => target;

        public Task ApplyAsync(CancellationToken cancellationToken) =>
            failApply ? throw new InvalidOperationException("no such node") : Task.CompletedTask;

        public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_fault_is_one_span_from_apply_to_heal_and_counts_as_active_while_it_holds()
    {
        var ct = TestContext.Current.CancellationToken;
        var target = $"node-{Guid.NewGuid():N}";
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(HarnessTelemetry.Name).AddInMemoryExporter(spans).Build();
        using var meter = Sdk.CreateMeterProviderBuilder().AddMeter(HarnessTelemetry.Name).AddInMemoryExporter(metrics).Build();
        await using var history = new HistoryWriter(new MemoryStream(), TimeProvider.System, ownsStream: true);
        var nemesis = new Nemesis(history);
        var ambient = Activity.Current;

        var id = await nemesis.ApplyAsync(new HeldFault(target), null, ct);
        var currentAfterApply = Activity.Current;
        meter!.ForceFlush();
        var whileHeld = Active(metrics, target);
        await Task.Delay(60, ct);
        await nemesis.HealAsync(id!, ct);
        meter.ForceFlush();
        tracer!.ForceFlush();

        var span = spans.Should().ContainSingle(s => Equals(s.GetTagItem("chaos.fault.target"), target)).Subject;
        span.DisplayName.Should().Be("fault kill");
        span.GetTagItem("chaos.fault.name").Should().Be("kill");
        span.GetTagItem("chaos.fault.id").Should().Be(id);
        span.Events.Select(e => e.Name).Should().Equal("applied", "healed");
        span.Duration.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(50), "the span lasts from the apply to the heal");
        span.ParentSpanId.Should().Be(default(ActivitySpanId), "a fault is no one's child");
        span.Status.Should().Be(ActivityStatusCode.Unset);
        currentAfterApply.Should().BeSameAs(ambient, "the fault's span does not become the parent of the run's other work");
        whileHeld.Should().Be(1);
        Active(metrics, target).Should().Be(0, "healed");
        metrics.Where(m => m.Name == "chaos.history.events").SelectMany(m => m.MetricPoints)
            .Where(p => Tag(p, "f") == "fault" && Tag(p, "type") == "ok").Sum(p => p.GetSumLong())
            .Should().BePositive("the history counts what it recorded, the fault's ok among it");
    }

    [Fact]
    public async Task A_fault_that_could_not_be_applied_is_an_ended_span_with_an_error()
    {
        var ct = TestContext.Current.CancellationToken;
        var target = $"node-{Guid.NewGuid():N}";
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(HarnessTelemetry.Name).AddInMemoryExporter(spans).Build();
        await using var history = new HistoryWriter(new MemoryStream(), TimeProvider.System, ownsStream: true);

        var id = await new Nemesis(history).ApplyAsync(new HeldFault(target, failApply: true), null, ct);
        tracer!.ForceFlush();

        id.Should().BeNull();
        var span = spans.Should().ContainSingle(s => Equals(s.GetTagItem("chaos.fault.target"), target)).Subject;
        span.Status.Should().Be(ActivityStatusCode.Error);
        span.StatusDescription.Should().Contain("no such node");
    }

    /// <summary>The last exported value of chaos.faults.active for <paramref name="target"/> (0 when never exported).</summary>
    private static long Active(List<MetricSnapshot> metrics, string target) =>
        metrics.LastOrDefault(m => m.Name == "chaos.faults.active")?.MetricPoints
            .Where(p => Tag(p, "target") == target).Sum(p => p.GetSumLong()) ?? 0;

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
