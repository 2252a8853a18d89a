using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Chaos.Reference.Tests.Support;

/// <summary>
/// A stop-gap until Chaos.Harness.Kafka lands: librdkafka's mock cluster created through a minimal P/Invoke, bound to
/// the very native library file Confluent.Kafka loaded (found in /proc/self/maps), never a second copy. The cluster is
/// destroyed before its owning rd_kafka_t handle, or librdkafka aborts the process. Everything mock-specific is in this
/// one file so it can be swapped for the harness wrapper.
/// </summary>
public sealed partial class TemporaryMockKafka : IDisposable
{
    private const string Lib = "chaos-loaded-librdkafka";
    private static readonly Lock LoadGate = new();
    private static string? _loadedPath;
    private IntPtr _rk;
    private IntPtr _cluster;

    public TemporaryMockKafka(int brokers = 1)
    {
        EnsureBound();
        var error = new byte[512];
        _rk = rd_kafka_new(0 /* RD_KAFKA_PRODUCER */, rd_kafka_conf_new(), error, (nuint)error.Length);
        if (_rk == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Encoding.UTF8.GetString(error).TrimEnd('\0'));
        }

        _cluster = rd_kafka_mock_cluster_new(_rk, brokers);
        if (_cluster == IntPtr.Zero)
        {
            rd_kafka_destroy(_rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))!;
        // Rebalances in tests should not wait the broker default of 3 s on a group's first join.
        rd_kafka_mock_group_initial_rebalance_delay_ms(_cluster, 0);
    }

    public string BootstrapServers { get; }

    public void CreateTopic(string topic, int partitions)
    {
        var err = rd_kafka_mock_topic_create(_cluster, topic, partitions, 1);
        if (err != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_topic_create({topic}) failed: error {err}");
        }
    }

    /// <summary>The next <paramref name="count"/> requests of <paramref name="apiKey"/> to any broker fail with <paramref name="error"/>.</summary>
    public void PushRequestErrors(short apiKey, int error, int count)
    {
        var errors = Enumerable.Repeat(error, count).ToArray();
        rd_kafka_mock_push_request_errors_array(_cluster, apiKey, (nuint)errors.Length, errors);
    }

    /// <summary>Broker <paramref name="brokerId"/> (1-based) drops its connections and refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(rd_kafka_mock_broker_set_down(_cluster, brokerId), "rd_kafka_mock_broker_set_down");

    /// <summary>Broker <paramref name="brokerId"/> accepts connections again.</summary>
    public void SetBrokerUp(int brokerId) => Check(rd_kafka_mock_broker_set_up(_cluster, brokerId), "rd_kafka_mock_broker_set_up");

    public void Dispose()
    {
        if (_cluster != IntPtr.Zero)
        {
            rd_kafka_mock_cluster_destroy(_cluster);
            _cluster = IntPtr.Zero;
        }

        if (_rk != IntPtr.Zero)
        {
            rd_kafka_destroy(_rk);
            _rk = IntPtr.Zero;
        }
    }

    private static void Check(int err, string call)
    {
        if (err != 0)
        {
            throw new InvalidOperationException($"{call} failed: error {err}");
        }
    }

    private static void EnsureBound()
    {
        lock (LoadGate)
        {
            if (_loadedPath is not null)
            {
                return;
            }

            Confluent.Kafka.Library.Load();
            _loadedPath = File.ReadLines("/proc/self/maps")
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length >= 6 && p[5].Contains("librdkafka", StringComparison.Ordinal))
                .Select(p => string.Join(' ', p[5..]))
                .FirstOrDefault() ?? throw new InvalidOperationException("Confluent.Kafka loaded no librdkafka (not found in /proc/self/maps)");
            var handle = NativeLibrary.Load(_loadedPath);
            NativeLibrary.SetDllImportResolver(typeof(TemporaryMockKafka).Assembly, (name, _, _) => name == Lib ? handle : IntPtr.Zero);
        }
    }

    [DllImport(Lib)]
    private static extern IntPtr rd_kafka_conf_new();

    [DllImport(Lib)]
    private static extern IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [DllImport(Lib)]
    private static extern void rd_kafka_destroy(IntPtr rk);

    [DllImport(Lib)]
    private static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [DllImport(Lib)]
    private static extern void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [DllImport(Lib)]
    private static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [DllImport(Lib, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [DllImport(Lib)]
    private static extern void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, int[] errors);

    [DllImport(Lib)]
    private static extern int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [DllImport(Lib)]
    private static extern int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [DllImport(Lib)]
    private static extern void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    internal static Assembly Assembly => typeof(TemporaryMockKafka).Assembly;
}
