using System.Net.Http.Json;
using System.Text.Json;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Tests.Faults;

/// <summary>The failpoint fault against a real api instance: armed through /admin/failpoints, fired by real requests.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class FailpointFaultTests(DeploymentFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static int _messages;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_crash_failpoint_crashes_the_instance_at_that_hit_and_heal_restarts_it()
    {
        var node = fixture.Node("api-1");
        var before = node.Incarnation;
        var fault = new FailpointFault(node, new FailpointSettings { Point = "api.after-persist-before-publish", Action = FailpointAction.Crash, Hit = 2 }, new ReferenceFailpoints(fixture.Http));

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        try
        {
            var first = await SendWithDetailAsync();
            first.Ok.Should().BeTrue($"the first hit passes ({first.Detail})");
        fault.Crashed.Should().BeFalse();
        (await SendAsync()).Should().BeFalse("the second hit exits the process before it answers");
        await fault.CrashedTask.WaitAsync(Bound, Token);
        }
        finally
        {
            await fault.HealAsync(Token).WaitAsync(Bound, Token);
        }

        fault.CrashExitCode.Should().Be(137);
        fault.Outcome.Should().Contain("crashed incarnation").And.Contain("at hit 2");

        fault.Restarted.Should().BeTrue();
        node.Incarnation.Should().Be(before + 1);
        fault.Outcome.Should().EndWith($"restarted as incarnation {before + 1}");
        (await ArmedAsync()).Should().BeEmpty("a new incarnation starts with nothing armed");
        (await SendAsync()).Should().BeTrue();
    }

    [Fact]
    public async Task A_delay_failpoint_delays_the_hit_and_heal_disarms_it_recording_the_hits()
    {
        var node = fixture.Node("api-1");
        var fault = new FailpointFault(node, new FailpointSettings { Point = "api.before-persist", Action = FailpointAction.Delay, Delay = TimeSpan.FromMilliseconds(400) }, new ReferenceFailpoints(fixture.Http));

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        try
        {
            (await ArmedAsync()).Should().ContainSingle();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            (await SendAsync()).Should().BeTrue();
            watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(380));
        }
        finally
        {
            await fault.HealAsync(Token).WaitAsync(Bound, Token);
        }

        await fault.HealAsync(Token).WaitAsync(Bound, Token); // idempotent

        (await ArmedAsync()).Should().BeEmpty("heal disarms");
        fault.HitsAtHeal.Should().BeGreaterThanOrEqualTo(1);
        fault.Fired.Should().BeTrue();
        fault.Restarted.Should().BeFalse();
        fault.Outcome.Should().Contain("fired").And.EndWith("disarmed");
    }

    [Fact]
    public async Task A_failpoint_that_is_never_hit_reports_that_it_did_not_fire()
    {
        var node = fixture.Node("gateway-1");
        var fault = new FailpointFault(node, new FailpointSettings { Point = "gateway.after-push-before-ack", Action = FailpointAction.Crash }, new ReferenceFailpoints(fixture.Http));

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        await fault.HealAsync(Token).WaitAsync(Bound, Token);

        fault.Fired.Should().BeFalse("no device was connected, so nothing was pushed");
        fault.Crashed.Should().BeFalse();
        fault.HitsAtHeal.Should().Be(0);
        fault.Outcome.Should().Contain("did not fire");
    }

    [Fact]
    public async Task Arming_an_unknown_point_fails_and_leaves_nothing_armed()
    {
        var node = fixture.Node("api-1");
        var fault = new FailpointFault(node, new FailpointSettings { Point = "api.nowhere" }, new ReferenceFailpoints(fixture.Http));

        var apply = () => fault.ApplyAsync(Token).WaitAsync(Bound, Token);

        (await apply.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*400*unknown failpoint*");
        await fault.HealAsync(Token).WaitAsync(Bound, Token);
        (await ArmedAsync()).Should().BeEmpty();
    }

    [Fact]
    public void The_factory_builds_a_failpoint_from_schedule_parameters()
    {
        var entry = new FaultScheduleEntry(TimeSpan.FromSeconds(1), "failpoint", "api-1", TimeSpan.FromSeconds(2), new Dictionary<string, string>
        {
            ["point"] = "api.after-persist-before-publish",
            ["hit"] = "3",
        });

        var fault = ProcessFaultFactory.Create(entry, fixture.Node, new ReferenceFailpoints(fixture.Http));

        fault.Should().BeOfType<FailpointFault>().Which.Settings.Spec.Should().Be("api.after-persist-before-publish=crash@3");
    }

    private async Task<bool> SendAsync()
    {
        var (ok, _) = await SendWithDetailAsync();
        return ok;
    }

    private async Task<(bool Ok, string Detail)> SendWithDetailAsync()
    {
        var n = Interlocked.Increment(ref _messages);
        var id = $"fp-test-{Guid.NewGuid():N}-{n}";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Node("api-1").Endpoint!, "/messages"))
            {
                Content = JsonContent.Create(new { id, idempotencyKey = id, from = "u1", conversation = "c1", to = new[] { "u2" }, body = "hello" }),
            };
            request.Headers.Authorization = fixture.UserAuthorization("u1");
            using var response = await fixture.Http.SendAsync(request, Token);
            return (response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Token)}");
        }
        catch (HttpRequestException e)
        {
            return (false, e.Message);
        }
    }

    private async Task<List<JsonElement>> ArmedAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Node("api-1").Endpoint!, "/admin/failpoints"));
        request.Headers.Authorization = fixture.System.Credentials.AdminAuthorization();
        using var response = await fixture.Http.SendAsync(request, Token);
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).EnumerateArray()];
    }
}
