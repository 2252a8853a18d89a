using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>Streams a JSON Lines history. Strict mode throws <see cref="HistoryFormatException"/> on the first
/// malformed line; lenient mode skips malformed lines and counts them. Blank lines are ignored.</summary>
public sealed class HistoryReader : IAsyncDisposable
{
    private const int MaxSkippedKept = 100;
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly HistoryReadMode _mode;
    private readonly StringPool _pool = new();
    private readonly List<SkippedLine> _skipped = [];

    /// <summary>Reads from <paramref name="stream"/>; disposes it only when <paramref name="ownsStream"/>.</summary>
    public HistoryReader(Stream stream, HistoryReadMode mode = HistoryReadMode.Strict, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _mode = mode;
        _ownsStream = ownsStream;
    }

    /// <summary>Malformed lines skipped so far (lenient mode).</summary>
    public long SkippedCount { get; private set; }

    /// <summary>The first skipped lines with their problems (at most 100 kept).</summary>
    public IReadOnlyList<SkippedLine> Skipped => _skipped;

    /// <summary>Opens a history file for reading (the reader owns the file).</summary>
    public static HistoryReader Open(string path, HistoryReadMode mode = HistoryReadMode.Strict)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite,
            BufferSize = 0,
            Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
        });
        return new HistoryReader(stream, mode, ownsStream: true);
    }

    /// <summary>Reads a whole history file into memory.</summary>
    public static async Task<HistoryReadResult> ReadAllAsync(string path, HistoryReadMode mode, CancellationToken cancellationToken)
    {
        await using var reader = Open(path, mode);
        var events = new List<HistoryEvent>();
        await foreach (var historyEvent in reader.ReadAsync(cancellationToken))
        {
            events.Add(historyEvent);
        }

        return new HistoryReadResult(events, reader.SkippedCount, reader.Skipped);
    }

    /// <summary>The events, in file order. Indexes must be strictly increasing (a line that breaks that is malformed).</summary>
    public async IAsyncEnumerable<HistoryEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = new byte[1 << 20];
        var start = 0;
        var end = 0;
        var lineNumber = 0L;
        var lastIndex = long.MinValue;
        var eof = false;
        var lines = new List<(int Start, int Length)>();
        while (true)
        {
            // Every complete line in the buffer (and the last one at end of file, newline or not).
            lines.Clear();
            var scan = start;
            while (scan < end)
            {
                var newline = buffer.AsSpan(scan, end - scan).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (eof)
                    {
                        lines.Add((scan, end - scan));
                        scan = end;
                    }

                    break;
                }

                lines.Add((scan, newline));
                scan += newline + 1;
            }

            var parsed = ParseBatch(buffer, lines);
            for (var i = 0; i < parsed.Length; i++)
            {
                lineNumber++;
                var historyEvent = Accept(parsed[i], lineNumber, ref lastIndex);
                if (historyEvent is not null)
                {
                    yield return historyEvent;
                }
            }

            start = scan;
            if (eof && start >= end)
            {
                yield break;
            }

            // Compact, grow when one line fills the buffer, then refill.
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await _stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0)
            {
                eof = true;
            }

            end += read;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _ownsStream ? _stream.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>Parses a batch of lines, in parallel when it is big enough to pay (events are independent; order,
    /// index checks and error reporting stay sequential in <see cref="Accept"/>).</summary>
    private Parsed[] ParseBatch(byte[] buffer, List<(int Start, int Length)> lines)
    {
        var parsed = new Parsed[lines.Count];
        if (lines.Count < 512 || Environment.ProcessorCount == 1)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                parsed[i] = ParseLine(buffer.AsSpan(lines[i].Start, lines[i].Length), _pool);
            }

            return parsed;
        }

        var chunk = (lines.Count + Environment.ProcessorCount - 1) / Environment.ProcessorCount;
        Parallel.For(0, Environment.ProcessorCount, worker =>
        {
            var pool = worker == 0 ? _pool : _pool.Share();
            for (var i = worker * chunk; i < Math.Min(lines.Count, (worker + 1) * chunk); i++)
            {
                parsed[i] = ParseLine(buffer.AsSpan(lines[i].Start, lines[i].Length), pool);
            }
        });
        return parsed;
    }

    private HistoryEvent? Accept(Parsed parsed, long lineNumber, ref long lastIndex)
    {
        if (parsed.Blank)
        {
            return null;
        }

        var problem = parsed.Problem;
        if (parsed.Event is { } historyEvent)
        {
            if (historyEvent.Index > lastIndex)
            {
                lastIndex = historyEvent.Index;
                return historyEvent;
            }

            problem = $"index {historyEvent.Index} does not follow index {lastIndex} (indexes must increase)";
        }

        if (_mode == HistoryReadMode.Strict)
        {
            throw new HistoryFormatException(lineNumber, problem!);
        }

        SkippedCount++;
        if (_skipped.Count < MaxSkippedKept)
        {
            _skipped.Add(new SkippedLine(lineNumber, problem!));
        }

        return null;
    }

    private static Parsed ParseLine(ReadOnlySpan<byte> line, StringPool pool)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Trim(" \t"u8).IsEmpty)
        {
            return new Parsed(null, null, Blank: true);
        }

        try
        {
            return new Parsed(HistoryLineParser.Parse(line, pool), null, Blank: false);
        }
        catch (HistoryValueException ex)
        {
            return new Parsed(null, ex.Message, Blank: false);
        }
        catch (JsonException ex)
        {
            // The reader sees one line at a time, so JSON's own "LineNumber: 0" would only confuse.
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            return new Parsed(null, $"invalid JSON at byte {ex.BytePositionInLine}: {(cut >= 0 ? message[..cut] : message)}", Blank: false);
        }
        catch (OverflowException ex)
        {
            return new Parsed(null, "number out of range: " + ex.Message, Blank: false);
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json's reader throws this, not a JsonException, for a string it cannot turn into .NET text
            // (a lone surrogate escape such as "\ud800") and for a value of the wrong kind read as a string
            return new Parsed(null, "invalid string or value: " + ex.Message, Blank: false);
        }
    }

    private readonly record struct Parsed(HistoryEvent? Event, string? Problem, bool Blank);
}
