using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Chaos.Harness.Telemetry;

namespace Chaos.Harness.History;

/// <summary>Writes a history as JSON Lines while the run goes. Thread-safe: index and time are assigned under one
/// lock, so file order is index order. A background loop serializes whatever is queued (one reused JSON writer, off
/// the recording threads: at thousands of events a second, serializing under the lock made every device wait on it)
/// and flushes after each batch, so a crashed run still leaves every event recorded up to a few milliseconds before
/// the crash.</summary>
public sealed class HistoryWriter : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly TimeProvider _timeProvider;
    private readonly long _startTimestamp;
    private readonly Lock _gate = new();
    private readonly Channel<(HistoryEvent? Event, TaskCompletionSource? Flushed)> _lines = Channel.CreateUnbounded<(HistoryEvent? Event, TaskCompletionSource? Flushed)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writeLoop;
    private long _nextIndex;
    private Exception? _failure;

    /// <summary>Writes to <paramref name="stream"/>. Times are nanoseconds since <paramref name="startTimestamp"/>
    /// (a <see cref="TimeProvider.GetTimestamp"/> value; now when null).</summary>
    public HistoryWriter(Stream stream, TimeProvider timeProvider, long? startTimestamp = null, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _stream = stream;
        _ownsStream = ownsStream;
        _timeProvider = timeProvider;
        _startTimestamp = startTimestamp ?? timeProvider.GetTimestamp();
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Events recorded so far.</summary>
    public long Count => Interlocked.Read(ref _nextIndex);

    /// <summary>Creates (or truncates) the history file at <paramref name="path"/>.</summary>
    public static HistoryWriter Create(string path, TimeProvider timeProvider, long? startTimestamp = null)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        return new HistoryWriter(stream, timeProvider, startTimestamp, ownsStream: true);
    }

    /// <summary>Nanoseconds since the run started, by the injected clock.</summary>
    public long Now()
    {
        var elapsed = _timeProvider.GetTimestamp() - _startTimestamp;
        return (long)((Int128)elapsed * 1_000_000_000 / _timeProvider.TimestampFrequency);
    }

    /// <summary>Records a known op.</summary>
    public HistoryEvent Record(string process, HistoryEventType type, string f, OperationValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Append(process, type, f, value, null);
    }

    /// <summary>
    /// Records a known op that was observed after the fact, with the time it happened (e.g. job attempts as the
    /// server stamped them, read during the drain). Such events are not in time order with their neighbours; the
    /// index still gives the order of recording (docs/history.md).
    /// </summary>
    public HistoryEvent RecordAt(long time, string process, HistoryEventType type, string f, OperationValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Append(process, type, f, value, null, time);
    }

    /// <summary>Records any op with a raw JSON object value (for ops the harness does not know).</summary>
    public HistoryEvent Record(string process, HistoryEventType type, string f, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A history value must be a JSON object.", nameof(value));
        }

        var raw = JsonSerializer.SerializeToUtf8Bytes(value);
        return Append(process, type, f, null, raw);
    }

    /// <summary>Waits until every event recorded so far is written and flushed to the operating system.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfFailed();
            if (!_lines.Writer.TryWrite((null, marker)))
            {
                throw new ObjectDisposedException(nameof(HistoryWriter));
            }
        }

        await marker.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes and flushes what is queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _lines.Writer.TryComplete();
        }

        await _writeLoop;
        if (_ownsStream)
        {
            await _stream.DisposeAsync();
        }
    }

    private HistoryEvent Append(string process, HistoryEventType type, string f, OperationValue? op, byte[]? raw, long? time = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(f);
        HistoryEvent historyEvent;
        lock (_gate)
        {
            ThrowIfFailed();
            historyEvent = new HistoryEvent(_nextIndex, time ?? Now(), process, type, f, op, raw);
            if (!_lines.Writer.TryWrite((historyEvent, null)))
            {
                throw new ObjectDisposedException(nameof(HistoryWriter));
            }

            Interlocked.Increment(ref _nextIndex);
        }

        if (HarnessTelemetry.HistoryEvents.Enabled)
        {
            // outside the lock that orders the history: an exporter's listener must not slow every recorder
            HarnessTelemetry.HistoryEvents.Add(1, new("f", f), new("type", HistoryEvent.TypeName(type)));
        }

        return historyEvent;
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException("The history could not be written: " + _failure.Message, _failure);
        }
    }

    private async Task WriteLoopAsync()
    {
        const int chunk = 64 * 1024;
        List<TaskCompletionSource> waiters = [];
        var buffer = new ArrayBufferWriter<byte>(2 * chunk);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        try
        {
            while (await _lines.Reader.WaitToReadAsync())
            {
                while (_lines.Reader.TryRead(out var entry))
                {
                    if (entry.Event is not null)
                    {
                        writer.Reset(buffer);
                        entry.Event.WriteTo(writer);
                        writer.Flush();
                        buffer.Write("\n"u8);
                        if (buffer.WrittenCount >= chunk)
                        {
                            await _stream.WriteAsync(buffer.WrittenMemory);
                            buffer.ResetWrittenCount();
                        }
                    }

                    if (entry.Flushed is not null)
                    {
                        waiters.Add(entry.Flushed);
                    }
                }

                if (buffer.WrittenCount > 0)
                {
                    await _stream.WriteAsync(buffer.WrittenMemory);
                    buffer.ResetWrittenCount();
                }

                await _stream.FlushAsync();
                waiters.ForEach(w => w.TrySetResult());
                waiters.Clear();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            lock (_gate)
            {
                _failure = ex;
                _lines.Writer.TryComplete();
            }

            while (_lines.Reader.TryRead(out var entry))
            {
                if (entry.Flushed is not null)
                {
                    waiters.Add(entry.Flushed);
                }
            }

            waiters.ForEach(w => w.TrySetException(ex));
        }
    }
}
