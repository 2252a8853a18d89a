using System.Text.Json;
using Chaos.Reference.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Chaos.Reference.Tests;

/// <summary>
/// Each defect switch of the messaging path, on and off, in the situation where it matters: the same scenario passes
/// with the switch off and visibly breaks a promise with it on.
/// </summary>
public sealed class MessagingDefectTests(MockKafkaFixture fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commit_before_process_loses_the_rest_of_a_batch_when_the_notifier_crashes_mid_batch(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.TokenAsync(api, "alice");
        var ids = await SendToAliceAsync(run, api, "m", 20, ct);
        await WaitPublishedAsync(run, api, 20);
        string[] crash = ["--failpoint", "notifier.mid-batch=crash@1", "--batch-linger-ms", "300"];
        var notifier = await run.StartAsync("notifier", "notifier-1", defect ? [.. crash, "--defect", "commit-before-process"] : crash);
        await notifier.Exited.WaitAsync(TimeSpan.FromSeconds(60), ct);
        notifier.Lines.Should().Contain(l => l.Contains("failpoint notifier.mid-batch: crash"));

        await run.StartAsync("notifier", "notifier-2", defect ? ["--defect", "commit-before-process"] : []);
        var marker = await run.SendAsync(api, "marker", ["alice"], "marker", ct);
        var inbox = await WaitForInboxContainsAsync(run, api, "alice", marker);
        var present = inbox.Select(x => x.Id).Where(ids.Contains).ToList();
        if (defect)
        {
            present.Count.Should().BeLessThan(20, "the crashed batch's offsets were committed before it was processed");
        }
        else
        {
            present.Should().Equal(ids, "offsets are committed only after the effects, so the batch is re-read");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_dedupe_gives_a_redelivered_record_a_second_sequence_number(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        var notifier = await run.StartAsync("notifier", "notifier-1", defect ? ["--defect", "no-dedupe"] : []);
        var record = JsonSerializer.Serialize(new { messageId = "dup-1", kind = "message", user = "alice", sender = "s", conversation = (string?)null, payload = "p", sentAt = 1L });
        var marker = JsonSerializer.Serialize(new { messageId = "marker", kind = "message", user = "alice", sender = "s", conversation = (string?)null, payload = "p", sentAt = 1L });
        await KafkaTestProducer.ProduceAsync(fixture.Kafka.BootstrapServers, run.Prefix + "fanout", "alice", record, record, marker);

        var inbox = await WaitForInboxContainsAsync(run, api, "alice", "marker");
        inbox.Count(x => x.Id == "dup-1").Should().Be(defect ? 2 : 1);
        var counters = (await run.GetJsonAsync(notifier, "/metrics", ct)).GetProperty("metrics").GetProperty("counters");
        counters.GetProperty("refsys.redelivered").GetDouble().Should().Be(1, "the second copy is a redelivery whether or not dedupe absorbs it");
        counters.GetProperty("refsys.consumer.assignments").GetDouble().Should().BeGreaterThanOrEqualTo(1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ack_before_persist_acknowledges_a_message_that_a_crash_then_loses(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        string[] crash = ["--failpoint", "api.before-persist=crash@1"];
        var api = await run.StartAsync("api", "api-1", defect ? [.. crash, "--defect", "ack-before-persist"] : crash);
        await run.TokenAsync(api, "alice");

        string? acknowledged = null;
        Exception? failure = null;
        try
        {
            acknowledged = await run.SendAsync(api, "k1", ["alice"], "hello", ct);
        }
        catch (HttpRequestException e)
        {
            failure = e;
        }

        await api.Exited.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var api2 = await run.StartAsync("api", "api-2");
        await run.StartAsync("notifier", "notifier-1");
        var marker = await run.SendAsync(api2, "marker", ["alice"], "marker", ct);
        var inbox = await WaitForInboxContainsAsync(run, api2, "alice", marker);
        if (defect)
        {
            acknowledged.Should().NotBeNull("the sender was told the message was accepted");
            inbox.Select(x => x.Id).Should().NotContain(acknowledged!, "it was never persisted: an acknowledged message is lost");
        }
        else
        {
            failure.Should().NotBeNull("the process died before answering, so the send was never acknowledged");
            inbox.Should().ContainSingle("nothing but the marker exists");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Client_no_dedupe_hands_replayed_frames_to_the_app_again(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        var gateway = await run.StartAsync("gateway", "gateway-1");
        await run.StartAsync("notifier", "notifier-1");
        await run.WaitReadyAsync(gateway);
        await run.TokenAsync(api, "alice");
        var device = new DeviceRecorder(run.Client(gateway, api, "alice", "d1", new ForgetfulSequenceStore(), dropDuplicates: !defect), run.Logs);
        await device.Client.ConnectAsync(ct);
        for (var i = 0; i < 3; i++)
        {
            await run.SendAsync(api, $"m{i}", ["alice"], $"m{i}", ct);
        }

        await device.WaitForAsync(3, TimeSpan.FromSeconds(30));
        device.Client.Cut(); // reconnects by itself and resumes from the (forgotten) stored sequence 0: the gateway replays 1..3
        await WaitUntilAsync(() => device.Frames.Count >= 6, TimeSpan.FromSeconds(30), run.Logs);

        device.Frames.Count(f => f.Disposition == Client.FrameDisposition.Duplicate).Should().Be(3);
        device.Delivered.Should().HaveCount(defect ? 6 : 3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_resume_leaves_a_device_that_was_offline_without_what_it_missed(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        var gateway = await run.StartAsync("gateway", "gateway-1", defect ? ["--defect", "no-resume"] : []);
        await run.StartAsync("notifier", "notifier-1");
        await run.WaitReadyAsync(gateway);
        await run.TokenAsync(api, "alice");
        var missed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            missed.Add(await run.SendAsync(api, $"m{i}", ["alice"], $"m{i}", ct));
        }

        await WaitForInboxContainsAsync(run, api, "alice", missed[^1]);
        var device = new DeviceRecorder(run.Client(gateway, api, "alice", "d1"), run.Logs);
        await device.Client.ConnectAsync(ct);
        // Resume is processed asynchronously by the device's pump: wait until the gateway has placed its cursor (3 either
        // way: the device's position after the replay, or the latest sequence with no-resume) before sending live.
        await WaitUntilAsync(async () => (await run.GetJsonAsync(gateway, "/presence")).EnumerateArray().Any(p => p.GetProperty("lastPushed").GetInt64() == 3),
            TimeSpan.FromSeconds(30), run.Logs);
        var live = await run.SendAsync(api, "live", ["alice"], "live", ct);
        await WaitUntilAsync(() => device.Frames.Any(f => f.Id == live), TimeSpan.FromSeconds(30), run.Logs);

        if (defect)
        {
            device.Delivered.Select(d => d.Id).Should().NotContain(missed, "the gateway ignored where the device was");
        }
        else
        {
            device.Delivered.Select(d => d.Id).Should().Equal([.. missed, live]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unkeyed_partitioning_spreads_one_users_records_over_several_partitions(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1", defect ? ["--defect", "unkeyed-partitioning"] : []);
        await run.StartAsync("notifier", "notifier-1");
        await run.TokenAsync(api, "alice");
        string last = "";
        for (var i = 0; i < 40; i++)
        {
            last = await run.SendAsync(api, $"m{i}", ["alice"], $"m{i}", ct);
            if (i % 8 == 7)
            {
                await WaitPublishedAsync(run, api, i + 1); // separate producer batches, as separate requests would be
            }
        }

        await WaitForInboxAsync(run, api, "alice", 40);
        await using var db = new SqliteConnection("Data Source=" + run.Db["sqlite:".Length..]);
        await db.OpenAsync(ct);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(DISTINCT source_partition) FROM inbox WHERE user_id = 'alice'";
        var partitions = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        if (defect)
        {
            partitions.Should().BeGreaterThan(1, "without a key, one user's records land on several partitions (and consumers)");
        }
        else
        {
            partitions.Should().Be(1, "keyed by user, one user's records share one partition, hence one order");
        }

        _ = last;
    }

    [Fact]
    public async Task The_mid_batch_failpoint_lets_a_redelivered_batch_pass_and_crashes_on_the_first_batch_with_new_effects()
    {
        // A batch re-read after a rebalance holds records already in the inbox: crashing "mid-batch" there interrupts
        // no effect, and with commit-before-process would lose nothing, so the defect would go unseen. The failpoint
        // counts only records whose rows are new.
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.TokenAsync(api, "alice");
        var first = await SendToAliceAsync(run, api, "a", 10, ct);
        await WaitPublishedAsync(run, api, 10);
        var written = await CrashAfterEffectsBeforeCommitAsync(run, api, ct);
        written.Select(x => x.Id).Should().Equal(first, "the first notifier wrote the whole batch (one partition, all published before it started) and crashed before committing");

        var rereader = await run.StartAsync("notifier", "notifier-2", "--failpoint", "notifier.mid-batch=crash@1", "--defect", "commit-before-process", "--batch-linger-ms", "300");
        // the second notifier re-reads the uncommitted batch
        await WaitUntilAsync(async () => Counter(await run.GetJsonAsync(rereader, "/metrics", ct), "refsys.redelivered") >= written.Count, TimeSpan.FromSeconds(60), run.Logs);

        rereader.HasExited.Should().BeFalse("a batch of records already in the inbox is not a hit of notifier.mid-batch");
        var second = await SendToAliceAsync(run, api, "b", 10, ct);

        await rereader.Exited.WaitAsync(TimeSpan.FromSeconds(60), ct);
        rereader.Lines.Should().Contain(l => l.Contains("failpoint notifier.mid-batch: crash"), "the first batch with new rows is the hit");
        await run.StartAsync("notifier", "notifier-3", "--defect", "commit-before-process");
        var marker = await run.SendAsync(api, "marker", ["alice"], "marker", ct);
        var inbox = (await WaitForInboxContainsAsync(run, api, "alice", marker)).Select(x => x.Id).ToList();
        inbox.Should().Contain(first, "the re-read batch was already in the inbox");
        second.Except(inbox).Should().NotBeEmpty("with commit-before-process the crashed fresh batch is lost: the defect shows");

        static double Counter(System.Text.Json.JsonElement metrics, string name) =>
            metrics.GetProperty("metrics").GetProperty("counters").TryGetProperty(name, out var v) ? v.GetDouble() : 0;
    }

    [Fact]
    public async Task A_notifier_crash_after_effects_before_commit_redelivers_and_the_business_key_keeps_each_message_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.TokenAsync(api, "alice");
        var ids = await SendToAliceAsync(run, api, "m", 10, ct);
        await WaitPublishedAsync(run, api, 10);
        var before = await CrashAfterEffectsBeforeCommitAsync(run, api, ct);
        before.Should().NotBeEmpty("the effects were durable before the crash");

        await run.StartAsync("notifier", "notifier-2");
        var marker = await run.SendAsync(api, "marker", ["alice"], "marker", ct);
        var inbox = await WaitForInboxContainsAsync(run, api, "alice", marker);
        inbox.Select(x => x.Id).Should().Equal([.. ids, marker], "redelivered records found their (user, message id) rows");
        inbox.Select(x => x.Seq).Should().Equal(Enumerable.Range(1, 11).Select(n => (long)n));
        inbox.Take(before.Count).Should().Equal(before, "a redelivery keeps the first sequence number");
    }

    [Fact]
    public async Task A_process_exits_when_the_process_named_by_CHAOS_PARENT_PID_is_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        using var parent = System.Diagnostics.Process.Start("sleep", "120");
        try
        {
            var api = await run.StartWithParentAsync(parent.Id, "api", "api-orphan");
            api.HasExited.Should().BeFalse();
            parent.Kill();
            await parent.WaitForExitAsync(ct);
            await api.Exited.WaitAsync(TimeSpan.FromSeconds(10), ct);

            // the exit is observed before the last output lines are read: give the reader a bounded moment
            for (var i = 0; i < 50 && !api.Lines.Any(l => l.Contains("is gone; exiting")); i++)
            {
                await Task.Delay(100, ct);
            }

            api.Lines.Should().Contain(l => l.Contains("is gone; exiting"));
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill();
            }
        }
    }

    [Fact]
    public async Task A_process_exits_when_the_process_named_by_CHAOS_PARENT_PID_is_a_zombie()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "zombies are read from /proc (Linux only)");
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        // The parent-to-be is a background `read` that exits when its input closes; its shell has exec'd into a
        // sleep that never reaps it, so it stays a zombie: a harness that died but was not reaped (/proc/pid exists).
        using var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", "exec 3<&0; read x <&3 & echo $!; exec sleep 120 3<&-"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            var zombie = int.Parse((await shell.StandardOutput.ReadLineAsync(ct))!, System.Globalization.CultureInfo.InvariantCulture);
            var api = await run.StartWithParentAsync(zombie, "api", "api-zombie-parent");
            await Task.Delay(600, ct);
            api.HasExited.Should().BeFalse("its parent is alive, blocked in read");

            shell.StandardInput.Close();
            for (var i = 0; i < 100 && StateOf(zombie) != 'Z'; i++)
            {
                await Task.Delay(50, ct);
            }

            StateOf(zombie).Should().Be('Z', "the parent exited and nobody reaped it");
            Directory.Exists($"/proc/{zombie}").Should().BeTrue("a zombie's /proc entry stays: existence is not life");
            await api.Exited.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    private static char? StateOf(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[text.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return null;
        }
    }

    internal static async Task WaitPublishedAsync(SystemRun run, SutProcess api, int count)
    {
        await WaitUntilAsync(async () =>
        {
            var m = await run.GetJsonAsync(api, "/metrics");
            return m.GetProperty("metrics").GetProperty("counters").TryGetProperty("refsys.outbox.published", out var v) && v.GetDouble() >= count;
        }, TimeSpan.FromSeconds(30), run.Logs);
    }

    /// <summary>Sends <paramref name="count"/> messages to alice (ids <c>{prefix}0..</c>) and returns their message ids.</summary>
    private static async Task<List<string>> SendToAliceAsync(SystemRun run, SutProcess api, string prefix, int count, CancellationToken ct)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await run.SendAsync(api, $"{prefix}{i}", ["alice"], $"msg {prefix}{i}", ct));
        }

        return ids;
    }

    /// <summary>A notifier writes its first batch's effects and crashes before committing; returns alice's inbox after it.</summary>
    private static async Task<List<(string Id, long Seq)>> CrashAfterEffectsBeforeCommitAsync(SystemRun run, SutProcess api, CancellationToken ct)
    {
        var notifier = await run.StartAsync("notifier", "notifier-1", "--failpoint", "notifier.after-effect-before-commit=crash@1", "--batch-linger-ms", "300");
        await notifier.Exited.WaitAsync(TimeSpan.FromSeconds(60), ct);
        return await run.InboxAsync(api, "alice", ct);
    }

    internal static async Task<List<(string Id, long Seq)>> WaitForInboxContainsAsync(SystemRun run, SutProcess api, string user, string id)
    {
        List<(string Id, long Seq)> inbox = [];
        await WaitUntilAsync(async () => (inbox = await run.InboxAsync(api, user)).Any(x => x.Id == id), TimeSpan.FromSeconds(120), run.Logs);
        return inbox;
    }

    internal static Task<List<(string Id, long Seq)>> WaitForInboxAsync(SystemRun run, SutProcess api, string user, int count) =>
        ApiTests.WaitForInboxAsync(run, api, user, count);

    internal static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> diagnostics) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, diagnostics);

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout}\n{diagnostics()}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
