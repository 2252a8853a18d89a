using System.Runtime.InteropServices;

namespace Chaos.Harness.Kafka;

/// <summary>
/// The few librdkafka entry points the mock cluster needs. The library name is resolved by
/// <see cref="RdKafkaLibrary"/> to the very file Confluent.Kafka loaded, never to a second copy.
/// </summary>
internal static unsafe partial class RdKafkaNative
{
    internal const string LibraryName = "librdkafka";

    internal const int ProducerType = 0;

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_new")]
    internal static partial nint ConfNew();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(nint conf);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_new")]
    internal static partial nint New(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(nint rk);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_err2name")]
    internal static partial nint ErrorName(int err);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_err2str")]
    internal static partial nint ErrorString(int err);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial nint MockClusterNew(nint rk, int brokerCount);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void MockClusterDestroy(nint mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial nint MockClusterBootstraps(nint mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicCreate(nint mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockPartitionSetLeader(nint mcluster, string topic, int partition, int brokerId);

    /// <summary>Deletes the partition's records before <paramref name="beforeOffset"/> (librdkafka 2.15+); OFFSET_OUT_OF_RANGE beyond the end.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_partition_delete_records", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockPartitionDeleteRecords(nint mcluster, string topic, int partition, long beforeOffset);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int MockBrokerSetDown(nint mcluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int MockBrokerSetUp(nint mcluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    internal static partial int MockBrokerSetRtt(nint mcluster, int brokerId, int rttMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    internal static partial void MockPushRequestErrorsArray(nint mcluster, short apiKey, nuint count, int* errors);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_clear_request_errors")]
    internal static partial void MockClearRequestErrors(nint mcluster, short apiKey);

    /// <summary>
    /// The C function is variadic and has no array form. This fixed-arity declaration is only ever
    /// called with one (error, rtt) pair: six integer arguments, all passed in registers on
    /// System V x86-64 and Linux AArch64, where a variadic callee reads them from the same
    /// registers. Apple arm64 passes variadic arguments on the stack, so callers must refuse it.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_push_request_error_rtts")]
    internal static partial int MockBrokerPushOneRequestErrorRtt(nint mcluster, int brokerId, short apiKey, nuint count, int error, int rttMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_error_stack_cnt")]
    internal static partial int MockBrokerErrorStackCount(nint mcluster, int brokerId, short apiKey, nuint* count);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_add")]
    internal static partial int MockBrokerAdd(nint mcluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_coordinator_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockCoordinatorSet(nint mcluster, string keyType, string key, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void MockGroupInitialRebalanceDelayMs(nint mcluster, int delayMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_set_group_consumer_session_timeout_ms")]
    internal static partial void MockSetGroupConsumerSessionTimeoutMs(nint mcluster, int timeoutMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_set_group_consumer_heartbeat_interval_ms")]
    internal static partial void MockSetGroupConsumerHeartbeatIntervalMs(nint mcluster, int intervalMs);

    internal static bool VariadicRegisterCallsSupported =>
        !(OperatingSystem.IsMacOS() || OperatingSystem.IsIOS()) || RuntimeInformation.ProcessArchitecture == Architecture.X64;

    internal static string DescribeError(int err) =>
        $"{Marshal.PtrToStringUTF8(ErrorName(err))}: {Marshal.PtrToStringUTF8(ErrorString(err))}";
}
