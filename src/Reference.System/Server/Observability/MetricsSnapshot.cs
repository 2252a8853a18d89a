using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Chaos.Reference.Observability;

/// <summary>
/// Listens to this process's meter and serves a JSON snapshot on /metrics: counter totals, gauge values, and per
/// histogram count/sum/min/max plus p50/p99 over the last 4,096 values (a small ring, our own code: enough for a harness read-out).
/// </summary>
internal sealed class MetricsSnapshot : IDisposable
{
    private const int Ring = 4096;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _gauges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HistogramState> _histograms = new(StringComparer.Ordinal);

    public MetricsSnapshot()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SystemMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i, v));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value)
    {
        switch (instrument)
        {
            case Histogram<double> or Histogram<long>:
                _histograms.GetOrAdd(instrument.Name, _ => new HistogramState()).Add(value);
                break;
            case ObservableGauge<long> or ObservableGauge<double>:
                _gauges[instrument.Name] = value;
                break;
            default:
                _sums.AddOrUpdate(instrument.Name, value, (_, old) => old + value);
                break;
        }
    }

    public object Read()
    {
        _listener.RecordObservableInstruments();
        return new
        {
            counters = _sums.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            gauges = _gauges.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            histograms = _histograms.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value.Summary()),
        };
    }

    public void Dispose() => _listener.Dispose();

    private sealed class HistogramState
    {
        private readonly double[] _ring = new double[Ring];
        private readonly Lock _gate = new();
        private long _count;
        private double _sum;
        private double _min = double.MaxValue;
        private double _max = double.MinValue;

        public void Add(double v)
        {
            lock (_gate)
            {
                _ring[_count % Ring] = v;
                _count++;
                _sum += v;
                _min = Math.Min(_min, v);
                _max = Math.Max(_max, v);
            }
        }

        public object Summary()
        {
            lock (_gate)
            {
                var recent = _ring.Take((int)Math.Min(_count, Ring)).Order().ToArray();
                double P(double q) => recent.Length == 0 ? 0 : recent[Math.Min(recent.Length - 1, (int)(q * recent.Length))];
                return new { count = _count, sum = _sum, min = _count == 0 ? 0 : _min, max = _count == 0 ? 0 : _max, p50 = P(0.50), p99 = P(0.99) };
            }
        }
    }
}
