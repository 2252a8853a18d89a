using System.Text;
using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>Interns the strings a history repeats (process, user, device, message ids seen on many devices) so a
/// million-event history fits the memory budget.</summary>
internal sealed class StringPool
{
    private const int MaxEntries = 2_000_000;
    private const int MaxPooledLength = 128;
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Set by the value parser when it skipped a field it does not know: the raw value is then kept.</summary>
    public bool SawUnknownField { get; set; }

    public string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxPooledLength)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[MaxPooledLength];
        var count = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        var span = chars[..count];
        if (_lookup.TryGetValue(span, out var pooled))
        {
            return pooled;
        }

        var created = span.ToString();
        if (_pool.Count < MaxEntries)
        {
            _pool[created] = created;
        }

        return created;
    }
}
