namespace Chaos.Harness.Checkers;

/// <summary>Everything the history says about one send id (a retried request keeps its id: one record, many attempts).</summary>
internal sealed class SendRecord(string id)
{
    private HashSet<string>? _toSet;
    private readonly List<string> _to = [];

    public string Id { get; } = id;

    public long FirstInvokeIndex { get; set; } = -1;

    public long FirstInvokeTime { get; set; }

    public long? Intended { get; set; }

    public long OkIndex { get; set; } = -1;

    public long LastOutcomeIndex { get; set; } = -1;

    public int Fails { get; set; }

    public int Infos { get; set; }

    public IReadOnlyDictionary<string, long>? Seq { get; set; }

    public IReadOnlyList<string> To => _to;

    public SendOutcome Outcome => OkIndex >= 0 ? SendOutcome.Ok : Infos > 0 || Fails == 0 ? SendOutcome.Info : SendOutcome.Fail;

    /// <summary>When latency is measured from: the intended start if the generator recorded one.</summary>
    public long LatencyOrigin => Intended ?? FirstInvokeTime;

    public void AddRecipients(IReadOnlyList<string> to)
    {
        foreach (var user in to)
        {
            if (!IsRecipient(user))
            {
                _to.Add(user);
                _toSet?.Add(user);
                if (_toSet is null && _to.Count > 8)
                {
                    _toSet = new HashSet<string>(_to, StringComparer.Ordinal);
                }
            }
        }
    }

    public bool IsRecipient(string user)
    {
        if (_toSet is not null)
        {
            return _toSet.Contains(user);
        }

        foreach (var known in _to)
        {
            if (string.Equals(known, user, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
