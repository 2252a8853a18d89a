using System.Diagnostics.Metrics;

namespace Chaos.Reference.Observability;

/// <summary>The system's instruments (System.Diagnostics.Metrics, meter "Reference.System").</summary>
internal sealed class SystemMetrics : IDisposable
{
    public const string MeterName = "Reference.System";

    private readonly Meter _meter = new(MeterName);
    private long _queueLag;
    private long _outboxBacklog;
    private long _dlqSize;
    private long _assignedPartitions;

    public SystemMetrics()
    {
        ProcessingLatency = _meter.CreateHistogram<double>("refsys.processing.latency", "ms", "persisted-to-inbox (notifier) or submit-to-done (jobs) latency");
        PushLatency = _meter.CreateHistogram<double>("refsys.push.latency", "ms", "persisted-to-pushed latency at the gateway");
        Retries = _meter.CreateCounter<long>("refsys.jobs.retries", description: "job attempts after the first");
        Processed = _meter.CreateCounter<long>("refsys.processed", description: "records whose effect became durable");
        Duplicates = _meter.CreateCounter<long>("refsys.duplicates", description: "redelivered records recognised by their business key");
        Redelivered = _meter.CreateCounter<long>("refsys.redelivered", description: "consumed records this process found already processed once (counted whether or not dedupe absorbed them)");
        Published = _meter.CreateCounter<long>("refsys.outbox.published", description: "outbox rows published");
        Pushed = _meter.CreateCounter<long>("refsys.gateway.pushed", description: "frames pushed to devices");
        Acks = _meter.CreateCounter<long>("refsys.gateway.acks", description: "acknowledgements from devices");
        DeadLettered = _meter.CreateCounter<long>("refsys.jobs.dead_lettered", description: "jobs sent to the DLQ by this process");
        ClientTimeouts = _meter.CreateCounter<long>("refsys.gateway.client_timeouts", description: "device connections the gateway dropped because the client fell silent past the client timeout");
        StalledReaders = _meter.CreateCounter<long>("refsys.gateway.stalled_readers", description: "device connections the gateway closed because a push to them was not written within the send timeout");
        Assignments = _meter.CreateCounter<long>("refsys.consumer.assignments", description: "partition assignments this process's group consumer received (one per rebalance it took part in)");
        Revocations = _meter.CreateCounter<long>("refsys.consumer.revocations", description: "partition revocations this process's group consumer saw (every eager rebalance revokes)");
        Lost = _meter.CreateCounter<long>("refsys.consumer.lost", description: "times this process's group consumer found it had lost its partitions (evicted from the group)");
        Shed = _meter.CreateCounter<long>("refsys.api.shed", description: "writes the api answered 429 without persisting them (tag reason: queue-full | fanout-limit)");
        WriteBatches = _meter.CreateCounter<long>("refsys.api.write_batches", description: "group-commit transactions of the api's write queue");
        WriteBatchSize = _meter.CreateHistogram<long>("refsys.api.write_batch_size", "{write}", "writes committed together in one group-commit transaction");
        _meter.CreateObservableGauge("refsys.consumer.partitions", () => Volatile.Read(ref _assignedPartitions), description: "partitions assigned to this process's group consumer by the last rebalance");
        OpenConnections = _meter.CreateUpDownCounter<long>("refsys.connections.open", description: "open device connections");
        _meter.CreateObservableGauge("refsys.queue.lag", () => Volatile.Read(ref _queueLag), description: "records behind the high watermark on this consumer's partitions");
        _meter.CreateObservableGauge("refsys.outbox.backlog", () => Volatile.Read(ref _outboxBacklog), description: "outbox rows not yet published");
        _meter.CreateObservableGauge("refsys.dlq.size", () => Volatile.Read(ref _dlqSize), description: "rows in the DLQ table");
    }

    public Histogram<double> ProcessingLatency { get; }

    public Histogram<double> PushLatency { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Processed { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> Redelivered { get; }

    public Counter<long> Published { get; }

    public Counter<long> Pushed { get; }

    public Counter<long> Acks { get; }

    public Counter<long> DeadLettered { get; }

    public UpDownCounter<long> OpenConnections { get; }

    public Counter<long> ClientTimeouts { get; }

    public Counter<long> StalledReaders { get; }

    public Counter<long> Assignments { get; }

    public Counter<long> Revocations { get; }

    public Counter<long> Lost { get; }

    public Counter<long> Shed { get; }

    public Counter<long> WriteBatches { get; }

    public Histogram<long> WriteBatchSize { get; }

    public void SetQueueLag(long value) => Volatile.Write(ref _queueLag, value);

    public void SetOutboxBacklog(long value) => Volatile.Write(ref _outboxBacklog, value);

    public void SetAssignedPartitions(long value) => Volatile.Write(ref _assignedPartitions, value);

    public void SetDlqSize(long value) => Volatile.Write(ref _dlqSize, value);

    public void Dispose() => _meter.Dispose();
}
