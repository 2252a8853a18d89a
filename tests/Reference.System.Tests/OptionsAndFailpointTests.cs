using System.Collections;
using Chaos.Reference.Faults;
using Chaos.Reference.Hosting;

namespace Chaos.Reference.Tests;

public sealed class OptionsAndFailpointTests
{
    private static readonly string[] Required = ["--role", "api", "--kafka", "127.0.0.1:9092", "--db", "sqlite:/tmp/x.db"];

    /// <summary>The keys, from the environment as the harness passes them.</summary>
    internal static Hashtable Keys() => new() { ["REFSYS_JWT_KEY"] = "jwt-key-0123456789abcdef", ["REFSYS_ADMIN_KEY"] = "admin-key-0123456789abcdef" };

    [Fact]
    public void FromArgs_CommandLineAndEnvironment_CommandLineWinsAndListsMerge()
    {
        var env = Keys();
        env["REFSYS_INSTANCE"] = "from-env";
        env["REFSYS_DEFECTS"] = "no-dedupe";
        env["REFSYS_SESSION_TIMEOUT_MS"] = "4000";
        var options = SystemOptions.FromArgs([.. Required, "--instance", "cli", "--defect", "no-resume,no-dlq"], env, out var error);
        error.Should().BeEmpty();
        options!.Instance.Should().Be("cli");
        options.SessionTimeoutMs.Should().Be(4000);
        options.Defects.Should().BeEquivalentTo(["no-dedupe", "no-resume", "no-dlq"]);
    }

    [Fact]
    public void FromArgs_Downstream_IsTheOutsideProvidersUrl_AndAbsentByDefault()
    {
        SystemOptions.FromArgs([.. Required, "--downstream", "http://127.0.0.1:9/"], Keys(), out _)!.Downstream.Should().Be(new Uri("http://127.0.0.1:9/"));
        SystemOptions.FromArgs(Required, Keys(), out _)!.Downstream.Should().BeNull();
    }

    [Theory]
    [InlineData(new[] { "--role", "web" }, "--role")]
    [InlineData(new[] { "--role", "api" }, "--kafka")]
    [InlineData(new[] { "--role", "api", "--kafka", "k", "--db", "d", "--defect", "bogus" }, "unknown defect 'bogus'")]
    [InlineData(new[] { "--role", "api", "--kafka", "k", "--db", "d", "--failpoint", "nowhere=crash" }, "unknown failpoint")]
    [InlineData(new[] { "--role", "api", "--kafka", "k", "--db", "d", "--seed", "x" }, "--seed must be a whole number")]
    [InlineData(new[] { "--role", "api", "--kafka", "k", "--db", "d", "--seed", "8053460493224167422" }, "--seed must be a whole number within -2147483648..2147483647 (got '8053460493224167422')")]
    [InlineData(new[] { "--role", "jobs", "--kafka", "k", "--db", "d", "--downstream", "127.0.0.1:9" }, "--downstream must be an absolute http(s) URL")]
    [InlineData(new[] { "--role", "api", "--kafka", "k", "--db", "d", "--write-queue", "0" }, "--write-queue must be at least 1")]
    [InlineData(new[] { "--role", "api", "--kafka", "k", "--db", "d", "--fanout-rate-limit", "-5" }, "--fanout-rate-limit must be 0 (off)")]
    [InlineData(new[] { "--role", "api", "--kafka", "k", "--db", "d", "--write-queue", "lots" }, "--write-queue must be a whole number")]
    public void FromArgs_BadSetting_ErrorNamesIt(string[] args, string mention)
    {
        SystemOptions.FromArgs(args, Keys(), out var error).Should().BeNull();
        error.Should().Contain(mention);
    }

    [Fact]
    public void FromArgs_WriteQueueAndFanoutRateLimit_DefaultsAndOverrides()
    {
        var defaults = SystemOptions.FromArgs(Required, Keys(), out _)!;
        defaults.WriteQueue.Should().Be(2000);
        defaults.FanoutRateLimit.Should().Be(1200);
        var env = Keys();
        env["REFSYS_WRITE_QUEUE"] = "64";
        var set = SystemOptions.FromArgs([.. Required, "--fanout-rate-limit", "0"], env, out var error)!;
        error.Should().BeEmpty();
        set.WriteQueue.Should().Be(64);
        set.FanoutRateLimit.Should().Be(0, "0 turns the limit off");
    }

    [Theory]
    [InlineData("notifier.mid-batch=crash@3", "crash", 0, 3, false, null)]
    [InlineData("api.before-persist=delay:250", "delay", 250, null, false, null)]
    [InlineData("jobs.after-effect-before-commit=throw@2+", "throw", 0, 2, true, null)]
    [InlineData("gateway.after-push-before-ack=throw%0.25", "throw", 0, null, false, 0.25)]
    public void TryParse_ValidSpec_Parsed(string text, string action, int delay, int? nth, bool andAfter, double? p)
    {
        FailpointSpec.TryParse(text, out var spec, out var error).Should().BeTrue(error);
        spec.Action.ToString().ToLowerInvariant().Should().Be(action);
        spec.Should().BeEquivalentTo(new { DelayMs = delay, Nth = nth, AndAfter = andAfter, Probability = p });
    }

    [Theory]
    [InlineData("notifier.mid-batch")]
    [InlineData("notifier.mid-batch=explode")]
    [InlineData("notifier.mid-batch=crash@0")]
    [InlineData("notifier.mid-batch=throw%2")]
    public void TryParse_BadSpec_Refused(string text) => FailpointSpec.TryParse(text, out _, out _).Should().BeFalse();

    [Fact]
    public async Task HitAsync_ThrowOnSecondHit_FiresOnlyOnTheSecond()
    {
        var failpoints = new Failpoints(seed: 1);
        FailpointSpec.TryParse("notifier.mid-batch=throw@2", out var spec, out _);
        failpoints.Arm(spec);
        await failpoints.HitAsync("notifier.mid-batch", TestContext.Current.CancellationToken);
        var second = async () => await failpoints.HitAsync("notifier.mid-batch", TestContext.Current.CancellationToken);
        await second.Should().ThrowAsync<FailpointException>();
        await failpoints.HitAsync("notifier.mid-batch", TestContext.Current.CancellationToken);
        await failpoints.HitAsync("api.before-persist", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task HitAsync_SameSeed_SameProbabilisticFirings()
    {
        async Task<List<bool>> Run()
        {
            var failpoints = new Failpoints(seed: 7);
            FailpointSpec.TryParse("notifier.mid-batch=throw%0.5", out var spec, out _);
            failpoints.Arm(spec);
            var fired = new List<bool>();
            for (var i = 0; i < 40; i++)
            {
                try
                {
                    await failpoints.HitAsync("notifier.mid-batch", TestContext.Current.CancellationToken);
                    fired.Add(false);
                }
                catch (FailpointException)
                {
                    fired.Add(true);
                }
            }

            return fired;
        }

        var a = await Run();
        (await Run()).Should().Equal(a);
        a.Should().Contain(true).And.Contain(false);
    }
}
