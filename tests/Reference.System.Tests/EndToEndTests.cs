using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests;

/// <summary>The whole system as real processes: several instances of every role, 3 users with 2 devices each.</summary>
public sealed class EndToEndTests(MockKafkaFixture fixture)
{
    private static readonly string[] Users = ["u1", "u2", "u3"];

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Every_device_gets_each_of_its_messages_once_in_sequence_order_and_an_offline_device_catches_up_on_reconnect(string backend)
    {
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, Backend.PostgresFor(backend), TestContext.Current.CancellationToken);
        var ct = TestContext.Current.CancellationToken;
        var starts = new[]
        {
            run.StartAsync("api", "api-1"), run.StartAsync("api", "api-2"),
            run.StartAsync("notifier", "notifier-1"), run.StartAsync("notifier", "notifier-2"),
            run.StartAsync("gateway", "gateway-1"), run.StartAsync("gateway", "gateway-2"),
        };
        var p = await Task.WhenAll(starts);
        SutProcess[] apis = [p[0], p[1]];
        SutProcess[] gateways = [p[4], p[5]];
        foreach (var x in p)
        {
            await run.WaitReadyAsync(x);
        }

        foreach (var u in Users)
        {
            await run.TokenAsync(apis[0], u);
        }

        // Five devices online, spread over both gateways; u3/d2 stays offline until everything was sent.
        var devices = new Dictionary<(string User, string Device), DeviceRecorder>();
        var i = 0;
        foreach (var u in Users)
        {
            foreach (var d in new[] { "d1", "d2" })
            {
                devices[(u, d)] = new DeviceRecorder(run.Client(gateways[i++ % 2], apis[0], u, d), run.Logs);
            }
        }

        var offline = devices[("u3", "d2")];
        foreach (var (key, rec) in devices)
        {
            if (rec != offline)
            {
                await rec.Client.ConnectAsync(ct);
            }
        }

        // 4 senders × 250 messages, each to a seeded random non-empty subset of users; each sender waits for the
        // acknowledgement before its next send, so within a sender seq order must follow send order.
        const int Senders = 4;
        const int PerSender = 250;
        var sent = new List<(int Sender, int Index, string Id, string[] To)>[Senders];
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async s =>
        {
            var random = new Random(1000 + s);
            sent[s] = [];
            for (var k = 0; k < PerSender; k++)
            {
                var to = Users.Where(_ => random.Next(2) == 0).ToArray();
                if (to.Length == 0)
                {
                    to = [Users[random.Next(Users.Length)]];
                }

                var id = await run.SendAsync(apis[(s + k) % 2], $"s{s}-{k}", to, $"hello {s}/{k}", ct);
                sent[s].Add((s, k, id, to));
            }
        }));

        var all = sent.SelectMany(x => x).ToList();
        all.Should().HaveCount(1000);
        var expected = Users.ToDictionary(u => u, u => all.Where(m => m.To.Contains(u)).Select(m => m.Id).ToHashSet());

        await offline.Client.ConnectAsync(ct);
        try
        {
            foreach (var ((user, _), rec) in devices)
            {
                await rec.WaitForAsync(expected[user].Count, TimeSpan.FromSeconds(180));
            }
        }
        catch (TimeoutException e)
        {
            Assert.Fail(e.Message + "\n" + run.Logs());
        }

        foreach (var ((user, device), rec) in devices)
        {
            var got = rec.Delivered;
            got.Select(d => d.Id).Should().OnlyHaveUniqueItems($"{user}/{device} gets each message once");
            got.Select(d => d.Id).Should().BeEquivalentTo(expected[user], $"{user}/{device} gets exactly its user's messages");
            got.Select(d => d.Seq).Should().Equal(Enumerable.Range(1, got.Count).Select(n => (long)n), $"{user}/{device} sees 1, 2, 3, ... in order");
            got.Should().OnlyContain(d => d.User == user);
        }

        // Order-inversion check: for each sender and user, later sends have higher sequence numbers.
        var seqOf = devices[("u1", "d1")].Delivered.Concat(devices[("u2", "d1")].Delivered).Concat(devices[("u3", "d1")].Delivered)
            .ToDictionary(d => (d.User, d.Id), d => d.Seq);
        foreach (var s in sent)
        {
            foreach (var u in Users)
            {
                var seqs = s.Where(m => m.To.Contains(u)).Select(m => seqOf[(u, m.Id)]).ToList();
                seqs.Should().BeInAscendingOrder($"sender {s[0].Sender}'s acknowledged sends to {u} keep their order");
            }
        }

        // The durable inbox agrees with what the devices saw.
        foreach (var u in Users)
        {
            var inbox = await run.InboxAsync(apis[1], u, ct);
            inbox.Select(x => x.Id).Should().Equal(devices[(u, "d1")].Delivered.Select(d => d.Id));
        }
    }
}
