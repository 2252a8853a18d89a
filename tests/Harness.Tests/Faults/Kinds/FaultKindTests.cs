using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Tests.Faults.Kinds;

/// <summary>A fault kind checks an entry's parameters once, names the bad field, and gives declared defaults.</summary>
public sealed class FaultKindTests
{
    private static readonly FaultKind Cut = new("cut", "proxy", "a proxy", "cuts connections",
    [
        FaultParameter.Integer("bytes", 64, 0, 1024, "bytes before the reset"),
        FaultParameter.Number("rate", null, 0, 1, "a share"),
        FaultParameter.Duration("after", TimeSpan.FromMilliseconds(500), TimeSpan.Zero, TimeSpan.FromSeconds(10), "a wait"),
        FaultParameter.Choice("mode", "reset", ["reset", "close"], "how"),
    ]);

    private static FaultScheduleEntry Entry(string fault, params (string Key, string Value)[] parameters) =>
        new(TimeSpan.Zero, fault, "gateway-1", TimeSpan.FromSeconds(1), parameters.ToDictionary(p => p.Key, p => p.Value));

    [Theory]
    [InlineData("bytes", "abc", "parameters.bytes: 'abc' is not an integer (cut)")]
    [InlineData("bytes", "2000", "parameters.bytes: 2000 is outside 0..1024 (cut)")]
    [InlineData("bytes", "-1", "parameters.bytes: -1 is outside 0..1024 (cut)")]
    [InlineData("bytes", "99999999999999999999999", "parameters.bytes: '99999999999999999999999' is not an integer (cut)")]
    [InlineData("rate", "NaN", "parameters.rate: 'NaN' is not a number (cut)")]
    [InlineData("rate", "1.5", "parameters.rate: 1.5 is outside 0..1 (cut)")]
    [InlineData("after", "soon", "parameters.after:*")]
    [InlineData("after", "1m", "parameters.after: '1m' is outside 0s..10s (cut)")]
    [InlineData("mode", "RESET", "parameters.mode: 'RESET' is not one of reset, close (cut)")]
    [InlineData("signal", "9", "parameters.signal: unknown cut parameter (known: bytes, rate, after, mode)")]
    public void A_bad_or_unknown_parameter_is_an_error_naming_it(string key, string value, string message)
    {
        var act = () => Cut.Validate(Entry("cut", (key, value)));

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Values_are_read_checked_or_as_their_declared_default()
    {
        var given = Entry("cut", ("bytes", "7"), ("rate", "0.25"), ("mode", "close"));
        var none = Entry("cut");

        Cut.Validate(given);
        Cut.Validate(none);

        Cut.Integer(given, "bytes").Should().Be(7);
        Cut.Number(given, "rate").Should().Be(0.25);
        Cut.Text(given, "mode").Should().Be("close");
        Cut.Integer(none, "bytes").Should().Be(64);
        Cut.Number(none, "rate").Should().BeNull("it has no default");
        Cut.Text(none, "after").Should().Be("500ms");
        Cut.Text(none, "mode").Should().Be("reset");
    }

    [Fact]
    public void Reading_a_bad_value_throws_like_validation_does_and_an_undeclared_name_is_a_programming_error()
    {
        var bad = Entry("cut", ("bytes", "many"));

        ((Action)(() => Cut.Integer(bad, "bytes"))).Should().Throw<ArgumentException>().WithMessage("parameters.bytes: 'many' is not an integer (cut)");
        ((Action)(() => Cut.Text(bad, "colour"))).Should().Throw<ArgumentException>().WithMessage("cut declares no parameter colour*");
    }

    [Fact]
    public void A_required_parameter_must_be_given_and_a_kind_without_parameters_takes_none()
    {
        var needs = new FaultKind("arm", "process", "a node", "arms", [FaultParameter.Choice("point", null, ["a", "b"], "where", required: true)]);
        var bare = new FaultKind("kill", "process", "a node", "kills");

        ((Action)(() => needs.Validate(Entry("arm")))).Should().Throw<ArgumentException>().WithMessage("parameters.point: arm needs it (a, b)");
        ((Action)(() => bare.Validate(Entry("kill", ("hit", "1"))))).Should().Throw<ArgumentException>().WithMessage("parameters.hit: kill takes no parameters");
        ((Action)(() => bare.Validate(Entry("cut")))).Should().Throw<ArgumentException>().WithMessage("fault: 'cut' is not kill");
    }

    [Fact]
    public void The_kinds_own_check_runs_after_every_parameter_passed_its_own()
    {
        var seen = new List<string>();
        var kind = new FaultKind("pair", "process", "a node", "pairs",
            [FaultParameter.Integer("a", null, 0, 9, "a"), FaultParameter.Integer("b", null, 0, 9, "b")],
            e =>
            {
                seen.Add(e.Fault);
                if (e.Parameters.ContainsKey("a") && e.Parameters.ContainsKey("b"))
                {
                    throw new ArgumentException("parameters.b: give a or b, not both");
                }
            });

        ((Action)(() => kind.Validate(Entry("pair", ("a", "x"))))).Should().Throw<ArgumentException>().WithMessage("parameters.a:*");
        seen.Should().BeEmpty("a bad value stops before the kind's own check");
        ((Action)(() => kind.Validate(Entry("pair", ("a", "1"), ("b", "2"))))).Should().Throw<ArgumentException>().WithMessage("parameters.b: give a or b, not both");
        seen.Should().Equal("pair");
    }

    [Fact]
    public void A_declaration_that_contradicts_itself_is_refused_when_it_is_made()
    {
        var badDefault = () => FaultParameter.Integer("n", 5, 10, 20, "n");
        var twice = () => new FaultKind("k", "process", "t", "s", [FaultParameter.Integer("n", null, 0, 1, "n"), FaultParameter.Integer("n", null, 0, 1, "n")]);
        var sameName = () => new FaultRegistry([new FaultKind("k", "process", "t", "s"), new FaultKind("k", "kafka", "t", "s")]);

        badDefault.Should().Throw<ArgumentException>().WithMessage("the default of parameter n fails its own check: 5 is outside 10..20*");
        twice.Should().Throw<ArgumentException>().WithMessage("k declares parameter n twice*");
        sameName.Should().Throw<ArgumentException>().WithMessage("fault kind k is declared twice*");
    }

    [Fact]
    public void A_registry_finds_kinds_by_name_and_refuses_an_unknown_one_naming_the_known()
    {
        var registry = new FaultRegistry([Cut, new FaultKind("kill", "process", "a node", "kills")]);

        registry.All.Select(k => k.Name).Should().Equal("kill", "cut");
        registry.Find("cut").Should().BeSameAs(Cut);
        registry.Find("explode").Should().BeNull();
        ((Action)(() => registry.Validate(Entry("explode")))).Should().Throw<ArgumentException>().WithMessage("fault: 'explode' is not a fault kind (known: cut, kill)");
        ((Action)(() => registry.Validate(Entry("cut", ("bytes", "x"))))).Should().Throw<ArgumentException>().WithMessage("parameters.bytes:*");
    }
}
