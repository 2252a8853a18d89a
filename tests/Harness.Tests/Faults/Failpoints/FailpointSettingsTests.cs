using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Tests.Faults.Failpoints;

public sealed class FailpointSettingsTests
{
    [Theory]
    [InlineData("crash", null, null, null, "notifier.mid-batch=crash")]
    [InlineData("crash", "3", null, null, "notifier.mid-batch=crash@3")]
    [InlineData("throw", null, "0.25", null, "notifier.mid-batch=throw%0.25")]
    [InlineData("delay", "2", null, "1.5s", "notifier.mid-batch=delay:1500@2")]
    public void FromParameters_ValidParameters_GiveTheReferenceSystemsSpec(string action, string? hit, string? probability, string? delay, string spec)
    {
        var parameters = new Dictionary<string, string> { ["point"] = "notifier.mid-batch", ["action"] = action };
        if (hit is not null)
        {
            parameters["hit"] = hit;
        }

        if (probability is not null)
        {
            parameters["probability"] = probability;
        }

        if (delay is not null)
        {
            parameters["delay"] = delay;
        }

        FailpointSettings.FromParameters(parameters).Spec.Should().Be(spec);
    }

    [Fact]
    public void FromParameters_NoAction_DefaultsToCrash() =>
        FailpointSettings.FromParameters(new Dictionary<string, string> { ["point"] = "api.before-persist" }).Action.Should().Be(FailpointAction.Crash);

    [Theory]
    [InlineData("point", "api.nowhere", "parameters.point")]
    [InlineData("action", "explode", "parameters.action")]
    [InlineData("action", "1", "parameters.action")]
    [InlineData("hit", "0", "parameters.hit")]
    [InlineData("hit", "two", "parameters.hit")]
    [InlineData("probability", "1.5", "parameters.probability")]
    [InlineData("delay", "soon", "parameters.delay")]
    [InlineData("nth", "3", "parameters.nth")]
    public void FromParameters_BadParameter_ThrowsNamingIt(string name, string value, string field)
    {
        var parameters = new Dictionary<string, string> { ["point"] = "api.before-persist", [name] = value };

        var act = () => FailpointSettings.FromParameters(parameters);

        act.Should().Throw<ArgumentException>().WithMessage(field + ":*");
    }

    [Fact]
    public void FromParameters_HitAndProbability_IsRejected()
    {
        var act = () => FailpointSettings.FromParameters(new Dictionary<string, string> { ["point"] = "api.before-persist", ["hit"] = "1", ["probability"] = "0.5" });

        act.Should().Throw<ArgumentException>().WithMessage("parameters.probability:*not both*");
    }

    [Fact]
    public void Validate_ProcessFaultWithParameters_IsRejected()
    {
        var entry = new FaultScheduleEntry(TimeSpan.Zero, ProcessFaultNames.Kill, "api-1", null, new Dictionary<string, string> { ["signal"] = "9" });

        var act = () => ProcessFaultFactory.Validate(entry);

        act.Should().Throw<ArgumentException>().WithMessage("parameters.signal:*");
    }

    [Fact]
    public void Create_UnknownTarget_ThrowsNamingTheTarget()
    {
        var entry = new FaultScheduleEntry(TimeSpan.Zero, ProcessFaultNames.Kill, "moon-1");

        var act = () => ProcessFaultFactory.Create(entry, _ => null);

        act.Should().Throw<ArgumentException>().WithMessage("target:*moon-1*");
    }

    [Fact]
    public void Create_AFailpointOnASystemWithoutFailpoints_IsRefusedNamingIt()
    {
        var entry = new FaultScheduleEntry(TimeSpan.Zero, ProcessFaultNames.Failpoint, "api-1", null, new Dictionary<string, string> { ["point"] = "api.before-persist" });

        var act = () => ProcessFaultFactory.Create(entry, _ => throw new InvalidOperationException("no node is looked up"), failpoints: null);

        act.Should().Throw<ArgumentException>().WithMessage("fault: the system under test offers no failpoints (failpoint on api-1)*");
    }
}
