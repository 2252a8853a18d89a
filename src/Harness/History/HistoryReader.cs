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
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (eof)
                {
                    if (start == end)
                    {
                        yield break;
                    }

                    newline = end - start; // last line without a trailing newline
                }
                else
                {
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
                    continue;
                }
            }

            lineNumber++;
            var historyEvent = ParseLine(buffer.AsSpan(start, newline), lineNumber, ref lastIndex);
            start = Math.Min(end, start + newline + 1);
            if (historyEvent is not null)
            {
                yield return historyEvent;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _ownsStream ? _stream.DisposeAsync() : ValueTask.CompletedTask;

    private HistoryEvent? ParseLine(ReadOnlySpan<byte> line, long lineNumber, ref long lastIndex)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Trim(" \t"u8).IsEmpty)
        {
            return null;
        }

        string problem;
        try
        {
            var historyEvent = HistoryLineParser.Parse(line, _pool);
            if (historyEvent.Index <= lastIndex)
            {
                problem = $"index {historyEvent.Index} does not follow index {lastIndex} (indexes must increase)";
            }
            else
            {
                lastIndex = historyEvent.Index;
                return historyEvent;
            }
        }
        catch (HistoryValueException ex)
        {
            problem = ex.Message;
        }
        catch (JsonException ex)
        {
            // The reader sees one line at a time, so JSON's own "LineNumber: 0" would only confuse.
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            problem = $"invalid JSON at byte {ex.BytePositionInLine}: {(cut >= 0 ? message[..cut] : message)}";
        }
        catch (OverflowException ex)
        {
            problem = "number out of range: " + ex.Message;
        }

        if (_mode == HistoryReadMode.Strict)
        {
            throw new HistoryFormatException(lineNumber, problem);
        }

        SkippedCount++;
        if (_skipped.Count < MaxSkippedKept)
        {
            _skipped.Add(new SkippedLine(lineNumber, problem));
        }

        return null;
    }
}
