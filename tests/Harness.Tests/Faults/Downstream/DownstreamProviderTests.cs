using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.History;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.Faults.Downstream;

/// <summary>The harness's payment provider over real HTTP on loopback: answers, seeded failures, latency, and every
/// call recorded in the history as the harness observed it.</summary>
public sealed class DownstreamProviderTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-downstream-").FullName;
    private readonly HttpClient _http = new() { Timeout = Bound };

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Call_WhileHealthy_AnswersOk_AndTheHistoryHoldsTheCallAsObserved()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir, "h.jsonl");
        await using (var history = HistoryWriter.Create(path, TimeProvider.System))
        {
            await using var provider = await StartAsync(history, seed: 1);

            using var response = await PayAsync(provider, new { job = "t1", txn = "t1", account = "a1", amount = 5, attempt = 1, instance = "jobs-1" });

            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct).WaitAsync(Bound, ct);
            body.GetProperty("call").GetString().Should().Be("c1");
            body.GetProperty("outcome").GetString().Should().Be("ok");
            provider.CallCount.Should().Be(1);
            provider.FailedCount.Should().Be(0);
        }

        var read = await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, ct).WaitAsync(Bound, ct);
        var e = read.Events.Should().ContainSingle().Subject;
        e.Process.Should().Be(HistoryOps.DownstreamProcess);
        e.Type.Should().Be(HistoryEventType.Ok);
        e.F.Should().Be(HistoryOps.Call);
        e.AsCall().Should().Be(new CallValue("c1", "t1", CallValue.Ok, 1, "t1", "jobs-1", 200));
    }

    [Fact]
    public async Task Configure_FailureRateOne_FailsEveryCallWithEachRetriableStatusInTurn_AndRecordsEachAsFailed()
    {
        // 500, 502, 503, 504, 429, 408: a caller that takes any of them for a refusal gives a job up early
        await using var provider = await StartAsync(null, seed: 1);
        provider.Configure(new DownstreamConditions(1, TimeSpan.Zero));

        var answered = new List<int>();
        for (var attempt = 1; attempt <= 7; attempt++)
        {
            using var response = await PayAsync(provider, new { job = "t9", attempt });
            answered.Add((int)response.StatusCode);
        }

        answered.Should().Equal(500, 502, 503, 504, 429, 408, 500);
        provider.FailedCount.Should().Be(7);
        provider.Calls.Take(3).Select(c => (c.Id, c.Job, c.Outcome, c.Attempt, c.Status)).Should().Equal(
            ("c1", "t9", CallValue.Fail, 1, 500), ("c2", "t9", CallValue.Fail, 2, 502), ("c3", "t9", CallValue.Fail, 3, 503));
    }

    [Fact]
    public async Task FailureDraws_AreSeeded_TheSameSeedFailsTheSameCalls()
    {
        var first = await OutcomesAsync(seed: 7);
        var again = await OutcomesAsync(seed: 7);
        var other = await OutcomesAsync(seed: 8);

        again.Should().Equal(first);
        first.Should().Contain(CallValue.Ok).And.Contain(CallValue.Fail, "a 0.5 failure rate over 24 calls");
        other.Should().NotEqual(first, "another seed draws other failures (the same 24 draws: 2^-24)");
    }

    [Fact]
    public async Task Latency_HoldsEachAnswerUntilItHasPassedOnTheProvidersClock()
    {
        var clock = new FakeTimeProvider();
        await using var provider = await StartAsync(null, seed: 1, clock);
        provider.Configure(new DownstreamConditions(0, TimeSpan.FromMilliseconds(200)));
        var ct = TestContext.Current.CancellationToken;

        var pending = _http.PostAsJsonAsync(new Uri(provider.Address, "payments"), new { job = "t1" }, ct);
        var advanced = TimeSpan.Zero;
        while (!pending.IsCompleted)
        {
            (advanced < Bound).Should().BeTrue("the answer comes once the latency has passed");
            if (provider.CallCount == 1)
            {
                clock.Advance(TimeSpan.FromMilliseconds(20));
                advanced += TimeSpan.FromMilliseconds(20);
            }

            await Task.WhenAny(pending, Task.Delay(5, ct));
        }

        using var response = await pending;
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        advanced.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData("{garbage")]
    [InlineData("{\"attempt\": 1}")]
    [InlineData("[]")]
    public async Task Call_WithoutAJob_Is400_AndNotRecorded(string body)
    {
        await using var provider = await StartAsync(null, seed: 1);
        var ct = TestContext.Current.CancellationToken;

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(provider.Address, "payments"), content, ct).WaitAsync(Bound, ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        provider.CallCount.Should().Be(0);
    }

    [Fact]
    public async Task Start_OnANonLoopbackAddress_IsRefusedNamingTheField()
    {
        var act = () => DownstreamProvider.StartAsync(new DownstreamProviderOptions { Endpoint = new IPEndPoint(IPAddress.Any, 0) }, TestContext.Current.CancellationToken);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Endpoint*loopback*");
    }

    [Fact]
    public async Task Configure_ABadFailureRate_IsRefusedNamingTheField()
    {
        await using var provider = await StartAsync(null, seed: 1);

        var act = () => provider.Configure(new DownstreamConditions(1.5, TimeSpan.Zero));

        act.Should().Throw<ArgumentException>().WithMessage("*FailureRate*");
        provider.Conditions.Should().Be(DownstreamConditions.Healthy);
    }

    [Fact]
    public async Task Dispose_StopsListening()
    {
        var provider = await StartAsync(null, seed: 1);
        var port = provider.Address.Port;

        await provider.DisposeAsync().AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connect = () => socket.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken).AsTask();
        await connect.Should().ThrowAsync<SocketException>();
    }

    [Fact]
    public async Task DownstreamFault_SetsTheConditionsUntilHealed_AndCountsTheCallsWhileItHeld()
    {
        await using var provider = await StartAsync(null, seed: 1);
        var fault = new DownstreamFault(provider, 1, 0, "downstream-failure");
        var ct = TestContext.Current.CancellationToken;
        (await PayAsync(provider, new { job = "before" })).Dispose();
        fault.Outcome.Should().BeNull("not applied yet");

        await fault.ApplyAsync(ct);
        provider.Conditions.Should().Be(new DownstreamConditions(1, TimeSpan.Zero));
        (await PayAsync(provider, new { job = "t1" })).StatusCode.Should().Be(HttpStatusCode.BadGateway, "the second call: 500, 502, ... in turn");
        (await PayAsync(provider, new { job = "t1" })).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        await fault.HealAsync(ct);
        (await PayAsync(provider, new { job = "t1" })).StatusCode.Should().Be(HttpStatusCode.OK);
        await fault.HealAsync(ct);

        provider.Conditions.Should().Be(DownstreamConditions.Healthy);
        fault.CallsWhileApplied.Should().Be(2);
        fault.FailedWhileApplied.Should().Be(2);
        fault.Outcome.Should().Be("the provider received 2 calls while it held, failed 2 (refused 0), closed 0 connections unread; callers abandoned 0 calls");
        fault.Explain().Should().BeNull("it failed calls while it held");
        (fault.Name, fault.Target).Should().Be(("downstream-failure", "jobs"));
    }

    [Fact]
    public async Task Configure_RefusalRateOne_RefusesEveryCallWith422_AndRecordsEachAsRefused()
    {
        await using var provider = await StartAsync(null, seed: 1);
        provider.Configure(new DownstreamConditions(0, TimeSpan.Zero, RefusalRate: 1));

        using var response = await PayAsync(provider, new { job = "t3", attempt = 1 });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        body.GetProperty("outcome").GetString().Should().Be(CallValue.Refused);
        provider.Calls.Should().Equal(new CallValue("c1", "t3", CallValue.Refused, 1, Status: 422));
        (provider.RefusedCount, provider.FailedCount).Should().Be((1, 1));
    }

    [Fact]
    public async Task OneDrawPerCall_SplitsRefusedFailedAndOk_ByTheRates()
    {
        await using var provider = await StartAsync(null, seed: 3);
        provider.Configure(new DownstreamConditions(0.3, TimeSpan.Zero, RefusalRate: 0.3));
        for (var i = 0; i < 60; i++)
        {
            (await PayAsync(provider, new { job = $"t{i}" })).Dispose();
        }

        var outcomes = provider.Calls.GroupBy(c => c.Outcome).ToDictionary(g => g.Key, g => g.Count());
        outcomes.Keys.Should().BeEquivalentTo([CallValue.Ok, CallValue.Fail, CallValue.Refused], "rates of 0.3 / 0.3 / 0.4 over 60 calls");
        provider.RefusedCount.Should().Be(outcomes[CallValue.Refused]);
        provider.FailedCount.Should().Be(outcomes[CallValue.Refused] + outcomes[CallValue.Fail]);
    }

    [Fact]
    public void Conditions_WhoseRatesAddUpToMoreThanOne_AreRefusedNamingTheFields()
    {
        var act = () => new DownstreamConditions(0.7, TimeSpan.Zero, RefusalRate: 0.5).Validate();

        act.Should().Throw<ArgumentException>().WithMessage("FailureRate + RefusalRate must be at most 1, was 1.2*");
    }

    [Fact]
    public async Task Unreachable_ClosesNewAndOpenConnectionsUnread_RecordsNothing_AndHealsBack()
    {
        await using var provider = await StartAsync(null, seed: 1);
        var fault = new DownstreamFault(provider, new DownstreamConditions(0, TimeSpan.Zero, Unreachable: true), "downstream-down");
        var ct = TestContext.Current.CancellationToken;
        (await PayAsync(provider, new { job = "before" })).Dispose(); // leaves an open, pooled connection

        await fault.ApplyAsync(ct);
        fault.Explain().Should().Be("downstream-down: no caller tried to reach the provider while it was unreachable (no connection closed)");
        var onOpen = () => PayAsync(provider, new { job = "t1" });
        await onOpen.Should().ThrowAsync<HttpRequestException>("the open connection is closed unread (and so is a new one, should the client retry on it)");
        using (var fresh = new HttpClient { Timeout = Bound })
        {
            var onNew = () => fresh.PostAsJsonAsync(new Uri(provider.Address, "payments"), new { job = "t2" }, ct).WaitAsync(Bound, ct);
            await onNew.Should().ThrowAsync<HttpRequestException>();
        }

        await fault.HealAsync(ct);
        (await PayAsync(provider, new { job = "after" })).StatusCode.Should().Be(HttpStatusCode.OK);

        provider.Calls.Select(c => c.Job).Should().Equal(["before", "after"], "a call on a closed connection was never received");
        fault.DroppedWhileApplied.Should().BeGreaterThanOrEqualTo(2);
        fault.CallsWhileApplied.Should().Be(0);
        fault.Explain().Should().BeNull();
    }

    [Fact]
    public async Task Stall_ACallerThatGivesUp_IsCountedAbandoned_WhichIsTheStallsProof()
    {
        await using var provider = await StartAsync(null, seed: 1);
        var fault = new DownstreamFault(provider, new DownstreamConditions(1, TimeSpan.FromSeconds(30)), "downstream-stall");
        var ct = TestContext.Current.CancellationToken;
        await fault.ApplyAsync(ct);
        fault.Explain(expectAbandoned: true).Should().Be("downstream-stall: the provider received no call while it held");

        using (var impatient = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var call = _http.PostAsJsonAsync(new Uri(provider.Address, "payments"), new { job = "t1", attempt = 1 }, impatient.Token);
            await WaitUntilAsync(() => provider.CallCount == 1);
            fault.Explain(expectAbandoned: true).Should().Be("downstream-stall: no caller gave up on any of the 1 calls the provider held for 30000 ms");
            await impatient.CancelAsync();
            await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
        }

        await fault.HealAsync(ct);
        await WaitUntilAsync(() => provider.AbandonedCount == 1);
        fault.AbandonedSinceApplied.Should().Be(1);
        fault.Explain(expectAbandoned: true).Should().BeNull();
        provider.Calls.Should().Equal(new CallValue("c1", "t1", CallValue.Fail, 1, Status: 500, HeldMs: 30_000)); // held: the stall's hold, so the retry-late rule times the answer
    }

    [Fact]
    public async Task Refusing_ThatReceivedNoCall_DidNotTakeEffect()
    {
        await using var provider = await StartAsync(null, seed: 1);
        var fault = new DownstreamFault(provider, new DownstreamConditions(0, TimeSpan.Zero, RefusalRate: 0.3), "downstream-refuse");
        var ct = TestContext.Current.CancellationToken;

        await fault.ApplyAsync(ct);
        await fault.HealAsync(ct);

        fault.Explain().Should().Be("downstream-refuse: the provider received no call while it held");
    }

    [Theory]
    [InlineData(0, "downstream-failure: the provider failed none of the 1 calls it received while it held (the fault never reached the jobs)")]
    [InlineData(20, null)]
    public async Task Failing_ThatFailedNoneOfItsCalls_TookEffectOnlyWhenItAlsoDelayedThem(int latencyMs, string? expected)
    {
        await using var provider = await StartAsync(null, seed: 1);
        // a failure rate so small that the one call is answered ok
        var fault = new DownstreamFault(provider, new DownstreamConditions(1e-9, TimeSpan.FromMilliseconds(latencyMs)), latencyMs == 0 ? "downstream-failure" : "downstream-slow");
        var ct = TestContext.Current.CancellationToken;
        await fault.ApplyAsync(ct);
        (await PayAsync(provider, new { job = "t1", attempt = 1 })).StatusCode.Should().Be(HttpStatusCode.OK);
        await fault.HealAsync(ct);

        (fault.CallsWhileApplied, fault.FailedWhileApplied).Should().Be((1, 0));
        fault.Explain().Should().Be(expected);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var ct = TestContext.Current.CancellationToken;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Bound);
        while (!condition())
        {
            await Task.Delay(10, bound.Token);
        }
    }

    private async Task<List<string>> OutcomesAsync(int seed)
    {
        await using var provider = await StartAsync(null, seed);
        provider.Configure(new DownstreamConditions(0.5, TimeSpan.Zero));
        for (var i = 0; i < 24; i++)
        {
            (await PayAsync(provider, new { job = $"t{i}" })).Dispose();
        }

        return [.. provider.Calls.Select(c => c.Outcome)];
    }

    private static Task<DownstreamProvider> StartAsync(HistoryWriter? history, long seed, TimeProvider? clock = null) =>
        DownstreamProvider.StartAsync(
            new DownstreamProviderOptions { History = history, Seed = seed, TimeProvider = clock ?? TimeProvider.System },
            TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

    private Task<HttpResponseMessage> PayAsync(DownstreamProvider provider, object body) =>
        _http.PostAsJsonAsync(new Uri(provider.Address, "payments"), body, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
}
