using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class CompositeCheckTests
{
    private sealed class Fixed(string name, CheckResult result) : ICheck
    {
        public string Name => name;

        public CheckResult Check(IReadOnlyList<HistoryEvent> history) => result;
    }

    private sealed class Throwing : ICheck
    {
        public string Name => "broken";

        public CheckResult Check(IReadOnlyList<HistoryEvent> history) => throw new InvalidOperationException("boom");
    }

    private static readonly Dictionary<string, long> NoCounters = [];

    private static CheckResult Valid() => new(Verdict.Valid, new Dictionary<string, Anomaly>(), [], NoCounters);

    private static CheckResult WithAnomaly(string name) => new(
        Verdict.Invalid,
        new Dictionary<string, Anomaly> { [name] = new(name, 2, [new AnomalyExample([1, 2], "x")]) },
        [],
        NoCounters);

    [Theory]
    [InlineData(Verdict.Valid, Verdict.Valid, Verdict.Valid)]
    [InlineData(Verdict.Valid, Verdict.Unknown, Verdict.Unknown)]
    [InlineData(Verdict.Unknown, Verdict.Invalid, Verdict.Invalid)]
    [InlineData(Verdict.Invalid, Verdict.Valid, Verdict.Invalid)]
    public void Check_MergesInvalidOverUnknownOverValid(Verdict a, Verdict b, Verdict expected)
    {
        static CheckResult Of(Verdict v) => v switch
        {
            Verdict.Invalid => WithAnomaly("lost"),
            Verdict.Unknown => CheckResult.Unknown("drain"),
            _ => Valid(),
        };

        var composite = new CompositeCheck([new Fixed("a", Of(a)), new Fixed("b", Of(b))]);

        composite.Check([]).Verdict.Should().Be(expected);
    }

    [Fact]
    public void Check_ThrowingChecker_IsUnknownWithItsMessage_NeverValid()
    {
        var composite = new CompositeCheck([new Fixed("ok", Valid()), new Throwing()]);

        var result = composite.Check([]);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.UnknownReasons.Should().ContainSingle().Which.Should().Contain("broken").And.Contain("boom");
        result.Checks["broken"].Verdict.Should().Be(Verdict.Unknown);
    }

    [Fact]
    public void Check_DeclaredInformationalAnomaly_DoesNotInvalidate()
    {
        var composite = new CompositeCheck(
            [new Fixed("a", WithAnomaly("unseen"))],
            new Dictionary<string, string> { ["unseen"] = "this scenario stalls deliveries on purpose" });

        var result = composite.Check([]);

        result.Verdict.Should().Be(Verdict.Valid);
        result.Anomalies["unseen"].Informational.Should().BeTrue();
        result.Anomalies["unseen"].InformationalReason.Should().Contain("on purpose");
    }

    [Fact]
    public void Constructor_InformationalWithoutReason_Throws()
    {
        var act = () => new CompositeCheck([], new Dictionary<string, string> { ["lost"] = " " });

        act.Should().Throw<ArgumentException>().WithMessage("*lost*reason*");
    }

    [Fact]
    public void Check_SameAnomalyFromTwoCheckers_SumsCounts()
    {
        var composite = new CompositeCheck([new Fixed("a", WithAnomaly("lost")), new Fixed("b", WithAnomaly("lost"))]);

        composite.Check([]).Count("lost").Should().Be(4);
    }

    [Fact]
    public void Check_ExerciseOfASubChecker_IsInTheCompositeResult()
    {
        var exercise = new PromiseExercise(PromiseNames.JobsExactlyOnce, false, true, "no job was acknowledged");
        var said = Valid() with { Exercise = new Dictionary<string, PromiseExercise> { [exercise.Promise] = exercise } };
        var composite = new CompositeCheck([new Fixed("a", WithAnomaly("lost")), new Fixed("exercise", said)]);

        var result = composite.Check([]);

        result.Exercise.Should().Equal(new Dictionary<string, PromiseExercise> { [exercise.Promise] = exercise });
        result.Verdict.Should().Be(Verdict.Invalid);
    }
}
