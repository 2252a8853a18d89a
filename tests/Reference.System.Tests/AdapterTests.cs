using System.Collections.Concurrent;
using Chaos.Harness.Devices;
using Chaos.Reference.Adapter;
using Chaos.Reference.Client;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests;

/// <summary>The reference client behind the harness's device seam (src/Reference.System/Adapter), on real processes.</summary>
public sealed class AdapterTests(MockKafkaFixture fixture)
{
    [Fact]
    public async Task A_device_client_from_the_adapter_reports_deliveries_saves_positions_and_resumes_a_new_client_from_them()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        var gateway = await run.StartAsync("gateway", "gateway-1");
        await run.StartAsync("notifier", "notifier-1");
        await run.WaitReadyAsync(gateway);
        using var positions = new FilePositionStore(Path.Combine(run.Directory, "positions"));
        DeviceClientSettings Settings() => new()
        {
            User = "alice",
            Device = "phone",
            Hub = new Uri(gateway.Url, "/hub"),
            TokenProvider = async _ => await run.TokenAsync(api, "alice"),
            Positions = positions,
        };

        var first = ReferenceDeviceClients.Instance.Create(Settings());
        var delivered = new ConcurrentQueue<DeviceDelivery>();
        var states = new ConcurrentQueue<DeviceConnectionState>();
        first.Delivered += delivered.Enqueue;
        first.StateChanged += (state, _) => states.Enqueue(state);
        await first.ConnectAsync(ct);
        first.State.Should().Be(DeviceConnectionState.Connected);
        var sent = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            sent.Add(await run.SendAsync(api, $"m{i}", ["alice"], $"hello {i}", ct));
        }

        await MessagingDefectTests.WaitUntilAsync(() => delivered.Count >= 2, TimeSpan.FromSeconds(30), run.Logs);
        delivered.Select(d => (d.Id, d.User, d.Device, d.Seq)).Should().Equal((sent[0], "alice", "phone", 1L), (sent[1], "alice", "phone", 2L));
        states.Should().StartWith([DeviceConnectionState.Connecting, DeviceConnectionState.Connected]);
        first.LastSequence.Should().Be(2);
        (await positions.LoadAsync("alice", "phone", ct)).Should().Be(2, "the client saved each position it handed over in the harness's store");
        await first.DisposeAsync();

        var later = await run.SendAsync(api, "m2", ["alice"], "while closed", ct);
        var second = ReferenceDeviceClients.Instance.Create(Settings());
        var frames = new ConcurrentQueue<DeviceFrame>();
        second.FrameReceived += frames.Enqueue;
        await second.ConnectAsync(ct);
        await MessagingDefectTests.WaitUntilAsync(() => !frames.IsEmpty, TimeSpan.FromSeconds(30), run.Logs);
        await second.DisposeAsync();
        frames.Select(f => (f.Id, f.Seq, f.Disposition)).Should().Equal([(later, 3L, Harness.Devices.FrameDisposition.Accepted)],
            "a new client resumes after the stored position 2");
    }

    [Fact]
    public void Every_client_state_and_frame_disposition_maps_to_the_harness_value_of_the_same_name()
    {
        Enum.GetValues<ChatClientState>().Select(s => ReferenceMapping.Map(s).ToString())
            .Should().Equal(Enum.GetNames<ChatClientState>());
        Enum.GetValues<Client.FrameDisposition>().Select(d => ReferenceMapping.Map(d).ToString())
            .Should().Equal(Enum.GetNames<Client.FrameDisposition>());
        Enum.GetNames<DeviceConnectionState>().Should().BeEquivalentTo(Enum.GetNames<ChatClientState>(), "every harness state has its client state");
        Enum.GetNames<Harness.Devices.FrameDisposition>().Should().BeEquivalentTo(Enum.GetNames<Client.FrameDisposition>());
    }
}
