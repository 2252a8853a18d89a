using Chaos.Harness.Api;
using Chaos.Harness.History;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Tests.Faults;

namespace Chaos.Scenarios.Tests.Sut;

/// <summary>The reference system's api behind the harness's <see cref="ISystemApi"/>, against a real deployment.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class ReferenceSystemApiTests(DeploymentFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Writes_end_ok_or_fail_as_the_system_answers_and_reads_return_what_was_written()
    {
        var ct = TestContext.Current.CancellationToken;
        using var api = new ReferenceSystemApi(fixture.System, TimeSpan.FromSeconds(5));
        var tag = Guid.NewGuid().ToString("N")[..8];
        var u1 = await api.IssueTokenAsync("u1", ct);
        var u2 = await api.IssueTokenAsync("u2", ct);
        var before = await api.InboxHeadAsync("u2", u2, ct);

        (await api.SendMessageAsync(new ChatMessage($"api-{tag}", "u1", "c1", ["u2"], "hello"), u1, 0, ct))
            .Should().Be(HistoryEventType.Ok);
        (await api.SendMessageAsync(new ChatMessage($"forged-{tag}", "u2", "c1", ["u2"], "as someone else"), u1, 0, ct))
            .Should().Be(HistoryEventType.Fail, "the sender must be the token's subject: refused, definitely not done");
        (await api.SendNotificationAsync(new Notification($"note-{tag}", "u2", "ping"), 0, ct))
            .Should().Be(HistoryEventType.Ok);
        (await api.SubmitJobAsync(new JobSubmission($"job-{tag}", "a1", 3), 0, ct))
            .Should().Be(HistoryEventType.Ok);

        var deadline = DateTime.UtcNow + Bound;
        while (await api.InboxHeadAsync("u2", u2, ct) < before + 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }

        var inbox = await api.ReadInboxAsync("u2", "d1", u2, ct);
        inbox.Select(i => i.Id).Should().Contain([$"api-{tag}", $"note-{tag}"]).And.NotContain($"forged-{tag}");
        inbox.Select(i => i.Seq).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (await api.ReadJobAsync($"job-{tag}", ct)).Should().NotBeNull("the api persisted the job before it answered");
        (await api.ReadJobAsync($"never-{tag}", ct)).Should().BeNull();
        (await api.ReadBalanceAsync($"none-{tag}", ct)).Should().Be(0);
    }

    [Fact]
    public async Task An_inbox_read_with_another_users_token_is_a_failed_read()
    {
        var ct = TestContext.Current.CancellationToken;
        using var api = new ReferenceSystemApi(fixture.System, TimeSpan.FromSeconds(5));
        var u1 = await api.IssueTokenAsync("u1", ct);

        var read = () => api.InboxHeadAsync("u2", u1, ct);

        (await read.Should().ThrowAsync<SystemReadException>()).Which.Message.Should().Contain("/users/u2/inbox");
    }

    [Fact]
    public async Task Consumer_lag_names_each_group_and_topic_of_the_system()
    {
        var ct = TestContext.Current.CancellationToken;
        using var api = new ReferenceSystemApi(fixture.System, TimeSpan.FromSeconds(5));

        var lags = await api.ConsumerLagAsync(ct);

        lags.Select(l => (l.Group, l.Topic)).Should().BeEquivalentTo(ReferenceSystemOptions.ConsumerGroups.Select(g => (g.Group, g.Topic)));
        lags.Should().AllSatisfy(l => l.Lag.Should().BeGreaterThanOrEqualTo(0));
    }
}
