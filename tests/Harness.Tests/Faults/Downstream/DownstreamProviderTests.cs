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
        e.AsCall().Should().Be(new CallValue("c1", "t1", CallValue.Ok, 1, "t1", "jobs-1"));
    }

    [Fact]
    public async Task Configure_FailureRateOne_FailsEveryCallWith503_AndRecordsEachAsFailed()
    {
        await using var provider = await StartAsync(null, seed: 1);
        provider.Configure(new DownstreamConditions(1, TimeSpan.Zero));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var response = await PayAsync(provider, new { job = "t9", attempt });
            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }

        provider.FailedCount.Should().Be(3);
        provider.Calls.Select(c => (c.Id, c.Job, c.Outcome, c.Attempt)).Should().Equal(
            ("c1", "t9", CallValue.Fail, 1), ("c2", "t9", CallValue.Fail, 2), ("c3", "t9", CallValue.Fail, 3));
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
        (await PayAsync(provider, new { job = "t1" })).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await PayAsync(provider, new { job = "t1" })).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        await fault.HealAsync(ct);
        (await PayAsync(provider, new { job = "t1" })).StatusCode.Should().Be(HttpStatusCode.OK);
        await fault.HealAsync(ct);

        provider.Conditions.Should().Be(DownstreamConditions.Healthy);
        fault.CallsWhileApplied.Should().Be(2);
        fault.FailedWhileApplied.Should().Be(2);
        fault.Outcome.Should().Be("the provider received 2 calls while it held, failed 2");
        (fault.Name, fault.Target).Should().Be(("downstream-failure", "jobs"));
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
