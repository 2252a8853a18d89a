using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>The sends of a history by id. Completions pair with their process's open invoke (Jepsen: one open
/// operation per process); a completion without one is taken on its own value.</summary>
internal sealed class SendTable
{
    private readonly Dictionary<string, SendRecord> _byId = new(StringComparer.Ordinal);

    private SendTable()
    {
    }

    public IEnumerable<SendRecord> All => _byId.Values;

    public int Count => _byId.Count;

    public SendRecord? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The table of <paramref name="history"/>, built once per history and shared.</summary>
    public static SendTable For(IReadOnlyList<HistoryEvent> history) => HistoryCache<SendTable>.Get(history, Build);

    public static SendTable Build(IReadOnlyList<HistoryEvent> history)
    {
        var table = new SendTable();
        var open = new Dictionary<string, SendRecord>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            if (e.Op is not SendValue send)
            {
                continue;
            }

            SendRecord record;
            if (e.Type == HistoryEventType.Invoke)
            {
                record = table.GetOrAdd(send.Id);
                if (open.Remove(e.Process, out var abandoned))
                {
                    abandoned.Infos++; // a process invoking again without completing: the earlier outcome is unknown
                }

                open[e.Process] = record;
                if (record.FirstInvokeIndex < 0)
                {
                    record.FirstInvokeIndex = e.Index;
                    record.FirstInvokeTime = e.Time;
                    record.Intended = send.Intended;
                }

                record.AddRecipients(send.To);
                continue;
            }

            if (!open.Remove(e.Process, out record!))
            {
                record = table.GetOrAdd(send.Id);
                if (record.FirstInvokeIndex < 0)
                {
                    record.FirstInvokeIndex = e.Index;
                    record.FirstInvokeTime = e.Time;
                }
            }

            record.AddRecipients(send.To);
            record.LastOutcomeIndex = e.Index;
            switch (e.Type)
            {
                case HistoryEventType.Ok:
                    if (record.OkIndex < 0)
                    {
                        record.OkIndex = e.Index;
                    }

                    record.Seq ??= send.Seq;
                    if (send.Seq is not null)
                    {
                        // An ok that names per-recipient seqs names the recipients too (a writer may omit "to").
                        record.AddRecipients([.. send.Seq.Keys]);
                    }

                    break;
                case HistoryEventType.Fail:
                    record.Fails++;
                    break;
                default:
                    record.Infos++;
                    break;
            }
        }

        foreach (var pending in open.Values)
        {
            pending.Infos++; // invoked, never completed: outcome unknown
        }

        return table;
    }

    private SendRecord GetOrAdd(string id)
    {
        if (!_byId.TryGetValue(id, out var record))
        {
            record = new SendRecord(id);
            _byId[id] = record;
        }

        return record;
    }
}
