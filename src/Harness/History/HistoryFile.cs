using System.Buffers;
using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>Writes already-built events (generated, hand-made or re-read) as a JSON Lines history.</summary>
public static class HistoryFile
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    /// <summary>Writes <paramref name="events"/> to <paramref name="stream"/>, one per line.</summary>
    public static async Task WriteAllAsync(IEnumerable<HistoryEvent> events, Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        await using var writer = new Utf8JsonWriter(buffer, Options);
        foreach (var historyEvent in events)
        {
            historyEvent.WriteTo(writer);
            await writer.FlushAsync(cancellationToken);
            writer.Reset();
            buffer.Write("\n"u8);
            if (buffer.WrittenCount > 1 << 15)
            {
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Writes <paramref name="events"/> to a new file at <paramref name="path"/>.</summary>
    public static async Task WriteAllAsync(IEnumerable<HistoryEvent> events, string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        await WriteAllAsync(events, stream, cancellationToken);
    }
}
