using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Chaos.Harness.History;

/// <summary>A send ok's per-recipient seqs, read-only. Most sends have one recipient: that case is one small object
/// instead of a dictionary's three, which matters for a million-event history.</summary>
internal sealed class SeqMap : IReadOnlyDictionary<string, long>
{
    private readonly string[] _keys;
    private readonly long[] _values;

    public SeqMap(string[] keys, long[] values)
    {
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<long> Values => _values;

    public long this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out long value)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (string.Equals(_keys[i], key, StringComparison.Ordinal))
            {
                value = _values[i];
                return true;
            }
        }

        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, long>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new KeyValuePair<string, long>(_keys[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
