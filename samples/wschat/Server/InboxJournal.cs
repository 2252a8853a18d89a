using System.Globalization;
using System.Text;

namespace WsChat.Server;

/// <summary>One message in a user's inbox: its per-user sequence (1, 2, 3 … with no gaps), its id and sender.</summary>
public sealed record InboxEntry(string User, long Seq, string Id, string From);

/// <summary>
/// The system's storage: every user's inbox in one append-only journal file (<c>inbox.journal</c>, one tab-separated
/// line per entry), held in memory and replayed from the file at start. An entry is durable once <see cref="AppendAsync"/>
/// returned (the batch is fsynced). A line torn by a crash mid-write (no newline) is dropped when the file is replayed:
/// it was never acknowledged, so its Kafka record is still uncommitted and comes again. A message id already in the
/// user's inbox is not appended again (Kafka delivers at least once; the inbox holds each message once).
/// </summary>
/// <remarks>The planted bug <c>--defect dedupe-not-rebuilt</c>: the ids seen are not rebuilt when the file is replayed,
/// so after a restart the records Kafka delivers again (those past the last commit) are appended a second time.</remarks>
public sealed class InboxJournal : IDisposable
{
    private readonly Dictionary<string, List<InboxEntry>> _inboxes = new(StringComparer.Ordinal);
    private readonly HashSet<(string User, string Id)> _ids = [];
    private readonly Lock _gate = new();
    private readonly FileStream _file;

    private readonly bool _rebuildIds;

    public InboxJournal(string directory, bool rebuildIds = true)
    {
        _rebuildIds = rebuildIds;
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "inbox.journal");
        if (File.Exists(path))
        {
            Replay(File.ReadAllBytes(path));
        }

        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        _file.SetLength(ReplayedLength);
        _file.Seek(0, SeekOrigin.End);
    }

    private long ReplayedLength { get; set; }

    /// <summary>Appends the messages not yet in their users' inboxes, each the next sequence of its user, and makes them
    /// durable; returns the entries appended (the duplicates left out).</summary>
    public async Task<IReadOnlyList<InboxEntry>> AppendAsync(IEnumerable<(string User, string Id, string From)> messages, CancellationToken cancellationToken)
    {
        var appended = new List<InboxEntry>();
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var (user, id, from) in messages)
            {
                if (!_ids.Add((user, id)))
                {
                    continue;
                }

                var inbox = Inbox(user);
                var entry = new InboxEntry(user, inbox.Count + 1, id, from);
                inbox.Add(entry);
                appended.Add(entry);
                text.Append(CultureInfo.InvariantCulture, $"{user}\t{entry.Seq}\t{id}\t{from}\n");
            }
        }

        if (appended.Count > 0)
        {
            // one writer (the consumer loop), so the file order is the order of the sequences
            await _file.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
            await _file.FlushAsync(cancellationToken);
            _file.Flush(flushToDisk: true);
        }

        return appended;
    }

    /// <summary>The user's entries after sequence <paramref name="after"/>, in order.</summary>
    public IReadOnlyList<InboxEntry> After(string user, long after)
    {
        lock (_gate)
        {
            return _inboxes.TryGetValue(user, out var inbox) ? [.. inbox.Skip((int)Math.Clamp(after, 0, inbox.Count))] : [];
        }
    }

    public void Dispose() => _file.Dispose();

    private List<InboxEntry> Inbox(string user)
    {
        if (!_inboxes.TryGetValue(user, out var inbox))
        {
            _inboxes[user] = inbox = [];
        }

        return inbox;
    }

    private void Replay(byte[] bytes)
    {
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1; // past the last whole line; the rest was torn
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            var inbox = Inbox(f[0]);
            inbox.Add(new InboxEntry(f[0], inbox.Count + 1, f[2], f[3]));
            if (_rebuildIds)
            {
                _ids.Add((f[0], f[2]));
            }
        }

        ReplayedLength = end;
    }
}
