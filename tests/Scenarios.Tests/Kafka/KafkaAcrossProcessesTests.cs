using Chaos.Harness.Kafka;
using Confluent.Kafka;

namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>
/// The embedded cluster in its own process (`chaos kafka`), Kafka clients in other processes
/// (Chaos.Probe verbs, kcat) and in this one, all over real loopback sockets.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaAcrossProcessesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_producer_and_a_three_member_group_in_other_processes_exchange_10000_keyed_messages_in_per_key_order_without_loss()
    {
        const int partitions = 6;
        const int count = 10_000;
        await using var host = await KafkaTestHost.StartAsync("--brokers", "3", "--topic", $"orders:{partitions}", "--initial-rebalance-delay-ms", "0");
        var members = Enumerable.Range(0, 3)
            .Select(_ => ChildProcess.Probe("kafka-consume", "--bootstrap", host.BootstrapServers, "--topic", "orders", "--group", "g-orders", "--session-timeout-ms", "4000"))
            .ToList();
        try
        {
            await ChildProcess.WaitUntilAsync(() => GroupAssignment.IsStable(members, partitions), Timeout, "a stable three-member assignment", members);

            await using var producer = ChildProcess.Probe("kafka-produce", "--bootstrap", host.BootstrapServers, "--topic", "orders", "--count", $"{count}", "--keys", "50");
            var done = await producer.WaitForLineAsync(l => l.StartsWith("done ", StringComparison.Ordinal), Timeout, "producer done");
            done.Should().Be($"done {count} 0");
            var acked = KafkaRecord.Acked(producer.Lines).ToList();

            await ChildProcess.WaitUntilAsync(() => members.SelectMany(m => KafkaRecord.Consumed(m.Lines)).Select(r => r.Id).Distinct().Count() >= count, Timeout, "every message consumed", members);

            var consumed = members.SelectMany(m => KafkaRecord.Consumed(m.Lines)).ToList();
            // Distinct: a rebalance forced by a missed heartbeat on a loaded machine may redeliver (at-least-once).
            // Set differences: FluentAssertions' BeEquivalentTo on 10,000 items is quadratic.
            var consumedIds = consumed.Select(r => r.Id).ToHashSet();
            var ackedIds = acked.Select(r => r.Id).ToHashSet();
            ackedIds.Except(consumedIds).Should().BeEmpty("nothing acknowledged is lost");
            consumedIds.Except(ackedIds).Should().BeEmpty("nothing unsent appears");
            foreach (var key in acked.GroupBy(r => r.Key))
            {
                key.Select(r => r.Partition).Distinct().Should().ContainSingle($"key {key.Key} is partitioned by key");
                key.OrderBy(r => r.Seq).Select(r => r.Offset).Should().BeInAscendingOrder($"key {key.Key} is stored in send order");
            }

            foreach (var member in members)
            {
                AssertPerKeyOrder(member.Lines);
            }
        }
        finally
        {
            await StopAsync(members);
        }
    }

    [Fact]
    public async Task Kcat_produces_to_and_consumes_from_the_cluster()
    {
        var kcat = new[] { "/usr/bin/kcat", "/usr/local/bin/kcat" }.FirstOrDefault(File.Exists);
        if (kcat is null)
        {
            Assert.Skip("kcat is not installed (Debian package kcat); it is the third-party client this test needs.");
        }

        await using var host = await KafkaTestHost.StartAsync("--brokers", "2", "--topic", "kc:2:2");
        var input = string.Join('\n', Enumerable.Range(0, 100).Select(i => $"key{i % 7}:value{i}")) + "\n";

        await using (var produce = ChildProcess.Start(kcat, "-b", host.BootstrapServers, "-P", "-t", "kc", "-K:"))
        {
            await produce.WriteInputAndCloseAsync(input);
            (await produce.WaitForExitAsync(Timeout)).Should().BeTrue();
            produce.ExitCode.Should().Be(0, produce.StandardError);
        }

        await using var consume = ChildProcess.Start(kcat, "-b", host.BootstrapServers, "-C", "-t", "kc", "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n");
        (await consume.WaitForExitAsync(Timeout)).Should().BeTrue();
        consume.ExitCode.Should().Be(0, consume.StandardError);
        consume.Lines.Where(l => l.Length > 0).Should().BeEquivalentTo(input.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_member_SIGKILLed_while_holding_uncommitted_messages_has_them_delivered_again_to_the_survivor()
    {
        await using var host = await KafkaTestHost.StartAsync("--brokers", "1", "--topic", "jobs:2:1", "--initial-rebalance-delay-ms", "0");
        string[] Member(params string[] extra) => ["--bootstrap", host.BootstrapServers, "--topic", "jobs", "--group", "g-jobs", "--session-timeout-ms", "3000", .. extra];
        await using var doomed = ChildProcess.Probe("kafka-consume", Member("--no-commit"));
        await using var survivor = ChildProcess.Probe("kafka-consume", Member());
        await ChildProcess.WaitUntilAsync(() => GroupAssignment.IsStable([doomed, survivor], 2), Timeout, "both members assigned", [doomed, survivor]);
        var doomedPartition = GroupAssignment.Current(doomed.Lines).Single();

        await using (var producer = ChildProcess.Probe("kafka-produce", "--bootstrap", host.BootstrapServers, "--topic", "jobs", "--count", "200", "--keys", "20"))
        {
            (await producer.WaitForLineAsync(l => l.StartsWith("done ", StringComparison.Ordinal), Timeout, "producer done")).Should().Be("done 200 0");
        }

        await ChildProcess.WaitUntilAsync(
            () => KafkaRecord.Consumed(doomed.Lines).Concat(KafkaRecord.Consumed(survivor.Lines)).Select(r => r.Id).Distinct().Count() == 200, Timeout, "all 200 consumed once", [doomed, survivor]);
        var held = KafkaRecord.Consumed(doomed.Lines).Select(r => r.Id).ToHashSet();
        held.Should().NotBeEmpty("the doomed member must hold uncommitted messages when it dies");
        var survivorLinesBeforeKill = survivor.Lines.Count;

        doomed.Kill();

        await survivor.WaitUntilAsync(lines => GroupAssignment.Current(lines).Contains(doomedPartition), Timeout, "the dead member's partition reassigned after its session timeout");
        await survivor.WaitUntilAsync(
            lines => held.IsSubsetOf(KafkaRecord.Consumed(lines.Skip(survivorLinesBeforeKill)).Select(r => r.Id)), Timeout, "the dead member's uncommitted messages delivered again");
        await StopAsync([survivor]);
    }

    [Fact]
    public async Task A_broker_taken_down_and_brought_back_under_a_producing_load_loses_no_acknowledged_message()
    {
        const int partitions = 6;
        var ct = TestContext.Current.CancellationToken;
        await using var host = await KafkaTestHost.StartAsync("--brokers", "3", "--topic", $"load:{partitions}:3");
        for (var p = 0; p < partitions; p++)
        {
            await host.SetPartitionLeaderAsync("load", p, (p % 3) + 1, ct);
        }

        await using var producer = ChildProcess.Probe("kafka-produce", "--bootstrap", host.BootstrapServers, "--topic", "load", "--count", "4000", "--keys", "40", "--rate", "1000", "--timeout-ms", "60000");
        await producer.WaitForLineAsync(l => l.StartsWith("ack ", StringComparison.Ordinal), Timeout, "first acknowledgement");

        await host.SetBrokerDownAsync(2, ct);
        var downSince = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct); // the fault window, not a synchronisation
        await host.SetBrokerUpAsync(2, ct);
        var downFor = DateTime.UtcNow - downSince;

        var done = await producer.WaitForLineAsync(l => l.StartsWith("done ", StringComparison.Ordinal), TimeSpan.FromSeconds(90), "producer done");
        var acked = KafkaRecord.Acked(producer.Lines).ToList();
        acked.Should().NotBeEmpty();
        done.Should().Be($"done {acked.Count} {4000 - acked.Count}");
        acked.Max(r => r.LatencyMs).Should().BeGreaterThan((long)(downFor.TotalMilliseconds * 0.5), "messages for broker 2's partitions waited for it to come back");

        var stored = ReadAll(host.BootstrapServers, "load", partitions);
        acked.Select(r => r.Id).Where(id => !stored.Contains(id)).Should().BeEmpty("every acknowledged message is consumable after the broker is back");
    }

    [Fact]
    public async Task Injected_request_errors_reach_clients_as_the_errors_a_real_broker_gives()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await KafkaTestHost.StartAsync("--brokers", "2", "--topic", "errs:1:2");
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = host.BootstrapServers, LingerMs = 0 }).Build();
        await producer.ProduceAsync("errs", new Message<string, string> { Key = "k", Value = "first" }, ct).WaitAsync(Timeout, ct);

        // Per broker, with a delay: the answer is held for the given rtt.
        var leader = 1;
        await host.SetPartitionLeaderAsync("errs", 0, leader, ct);
        await producer.ProduceAsync("errs", new Message<string, string> { Key = "k", Value = "after leader move" }, ct).WaitAsync(Timeout, ct);
        await host.PushBrokerRequestErrorsAsync(leader, KafkaApiKey.Produce, [new MockRequestError(KafkaErrorCode.NoError, 1500)], ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await producer.ProduceAsync("errs", new Message<string, string> { Key = "k", Value = "delayed" }, ct).WaitAsync(Timeout, ct);
        clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(1400));

        // REBALANCE_IN_PROGRESS on OffsetCommit: the commit fails with exactly that error, the next one succeeds.
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = host.BootstrapServers, GroupId = "g-errs", EnableAutoCommit = false }).Build();
        var offsets = new[] { new TopicPartitionOffset("errs", 0, 1) };
        await host.PushRequestErrorsAsync(KafkaApiKey.OffsetCommit, [KafkaErrorCode.RebalanceInProgress], ct);
        var commit = () => consumer.Commit(offsets);
        commit.Should().Throw<KafkaException>().Which.Error.Code.Should().Be(ErrorCode.RebalanceInProgress);
        consumer.Commit(offsets);
    }

    /// <summary>Within one member, between two rebalances, each key's messages arrive with consecutive sequence numbers.</summary>
    private static void AssertPerKeyOrder(IReadOnlyList<string> lines)
    {
        var generation = 0;
        var last = new Dictionary<string, (int Generation, int Seq)>();
        foreach (var line in lines)
        {
            if (line.StartsWith("assigned", StringComparison.Ordinal) || line.StartsWith("revoked", StringComparison.Ordinal) || line.StartsWith("lost", StringComparison.Ordinal))
            {
                generation++;
                continue;
            }

            if (!KafkaRecord.TryParseConsumed(line, out var r))
            {
                continue;
            }

            if (last.TryGetValue(r.Key, out var previous) && previous.Generation == generation)
            {
                r.Seq.Should().Be(previous.Seq + 1, $"key {r.Key} arrives in order without gaps (after seq {previous.Seq})");
            }

            last[r.Key] = (generation, r.Seq);
        }
    }

    private static HashSet<(string Key, int Seq)> ReadAll(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "g-read-all", EnableAutoCommit = false, EnablePartitionEof = true, FetchWaitMaxMs = 20 }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var ids = new HashSet<(string, int)>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + Timeout;
        while (atEnd.Count < partitions && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is null)
            {
                continue;
            }

            if (r.IsPartitionEOF)
            {
                atEnd.Add(r.Partition.Value);
                continue;
            }

            ids.Add((r.Message.Key, int.Parse(r.Message.Value[(r.Message.Value.IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        }

        atEnd.Should().HaveCount(partitions, "every partition is read to its end");
        return ids;
    }

    private static async Task StopAsync(IEnumerable<ChildProcess> members)
    {
        foreach (var member in members)
        {
            if (!member.HasExited)
            {
                member.CloseInput();
            }
        }

        foreach (var member in members)
        {
            await member.WaitForExitAsync(TimeSpan.FromSeconds(20));
            await member.DisposeAsync();
        }
    }
}
