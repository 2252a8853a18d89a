using System.Globalization;

namespace Chaos.Harness.Topology;

/// <summary>
/// One node's log file, <c>&lt;run&gt;/logs/&lt;node&gt;.log</c>: every stdout/stderr line of every incarnation,
/// timestamped (UTC) and tagged, flushed per line so a crashed run still leaves it. Keeps a tail for error messages.
/// </summary>
internal sealed class NodeLog : IDisposable
{
    private const int TailCapacity = 200;
    private readonly Lock gate = new();
    private readonly StreamWriter writer;
    private readonly Queue<string> tail = new();
    private readonly TimeProvider timeProvider;

    public NodeLog(string path, TimeProvider timeProvider)
    {
        Path = path;
        this.timeProvider = timeProvider;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Path { get; }

    /// <summary>Writes one line; <paramref name="stream"/> is out, err or harness (for markers).</summary>
    public void Write(string stream, string line)
    {
        var stamp = timeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        lock (gate)
        {
            try
            {
                writer.WriteLine($"{stamp} {stream,-3} | {line}");
            }
            catch (ObjectDisposedException)
            {
                // A late line after dispose is dropped; the tail still gets it.
            }

            if (stream != "---")
            {
                tail.Enqueue($"[{stream}] {line}");
                if (tail.Count > TailCapacity)
                {
                    tail.Dequeue();
                }
            }
        }
    }

    public IReadOnlyList<string> Tail(int lines)
    {
        lock (gate)
        {
            return [.. tail.Skip(Math.Max(0, tail.Count - lines))];
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            writer.Dispose();
        }
    }
}
