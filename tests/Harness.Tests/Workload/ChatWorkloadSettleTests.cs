using System.Net;
using Chaos.Harness.Api;
using Chaos.Harness.Devices;
using Chaos.Harness.History;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Tests.Workload;

/// <summary>
/// The settle phase's job canary (docs/defects.md, "What it found in the harness"): a system whose job reads fail is
/// "not settled yet", so the settle ends at its bound with false — the run could not be done, exit 2 — instead of the
/// read's exception escaping (it once ended `chaos run` with exit 1, "a promise broke", for a run that never began).
/// The system here is a stand-in that answers the harness's calls in process; what is tested is the harness's loop.
/// </summary>
public sealed class ChatWorkloadSettleTests
{
    private static async Task<bool> SettleAsync(StandInSystem system, TimeSpan bound)
    {
        var ct = TestContext.Current.CancellationToken;
        using var stream = new MemoryStream();
        await using var history = new HistoryWriter(stream, TimeProvider.System);
        await using var workload = new ChatWorkload(
            system, [new Uri("http://127.0.0.1:9/hub")], new ConnectedClients(), history, new ChatWorkloadOptions { Users = 1, Devices = 1, JobRate = 1 }, 1);
        await workload.ConnectDevicesAsync(ct);
        return await workload.SettleAsync(bound, ct);
    }

    [Fact]
    public async Task Job_reads_that_keep_failing_end_the_settle_at_its_bound_with_false()
    {
        var system = new StandInSystem(failingJobReads: int.MaxValue);

        (await SettleAsync(system, TimeSpan.FromMilliseconds(800))).Should().BeFalse("the system never answered the canary job's read");
        system.JobReads.Should().BeGreaterThan(1, "a failed read is retried until the bound, not given up at once");
    }

    [Fact]
    public async Task Job_reads_that_fail_for_a_while_and_then_answer_settle()
    {
        var system = new StandInSystem(failingJobReads: 2);

        (await SettleAsync(system, TimeSpan.FromSeconds(30))).Should().BeTrue();
        system.JobReads.Should().Be(3, "two failed reads, then the terminal state");
    }

    /// <summary>Accepts every send and job, holds its consumers assigned, and fails the first job reads.</summary>
    private sealed class StandInSystem(int failingJobReads) : ISystemApi
    {
        private int _jobReads;

        public int JobReads => Volatile.Read(ref _jobReads);

        public Task<string> IssueTokenAsync(string user, CancellationToken cancellationToken) => Task.FromResult($"token-{user}");

        public Task<HistoryEventType> SendMessageAsync(ChatMessage message, string senderToken, long route, CancellationToken cancellationToken) => Task.FromResult(HistoryEventType.Ok);

        public Task<HistoryEventType> SendNotificationAsync(Notification notification, long route, CancellationToken cancellationToken) => Task.FromResult(HistoryEventType.Ok);

        public Task<HistoryEventType> SubmitJobAsync(JobSubmission job, long route, CancellationToken cancellationToken) => Task.FromResult(HistoryEventType.Ok);

        public Task<JobReport?> ReadJobAsync(string id, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _jobReads) <= failingJobReads
                ? throw new SystemReadException($"job {id}: 500 Internal Server Error")
                : Task.FromResult<JobReport?>(new JobReport(JobStates.Done, null, []));

        public Task<bool> ConsumersAssignedAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<long> InboxHeadAsync(string user, string ownerToken, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SyncItem>> ReadInboxAsync(string user, string device, string ownerToken, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DeadLettersValue?> ReadDeadLettersAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<decimal> ReadBalanceAsync(string account, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ConsumerLag>> ConsumerLagAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>Device clients that connect at once and report the canary handed to the app (sequence 1).</summary>
    private sealed class ConnectedClients : IDeviceClientFactory
    {
        public IDeviceClient Create(DeviceClientSettings settings) => new Client();

        private sealed class Client : IDeviceClient
        {
            public event Action<DeviceDelivery>? Delivered { add { } remove { } }

            public event Action<DeviceFrame>? FrameReceived { add { } remove { } }

            public event Action<DeviceConnectionState, Exception?>? StateChanged { add { } remove { } }

            public long LastSequence { get; private set; }

            public DeviceConnectionState State { get; private set; }

            public int Reconnects => 0;

            public EndPoint? LocalEndPoint => null;

            public bool IsAsleep => false;

            public Task ConnectAsync(CancellationToken cancellationToken)
            {
                State = DeviceConnectionState.Connected;
                LastSequence = 1;
                return Task.CompletedTask;
            }

            public void Cut()
            {
            }

            public void Sleep()
            {
            }

            public void Wake()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
