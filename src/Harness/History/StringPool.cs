using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>Interns the strings a history repeats (process, user, device, message ids seen on many devices) so a
/// million-event history fits the memory budget. One instance per parsing thread; instances made with
/// <see cref="Share"/> intern into the same table (safe across threads).</summary>
internal sealed class StringPool
{
    private const int MaxEntries = 2_000_000;
    private const int MaxPooledLength = 128;
    private readonly Shared _shared;

    public StringPool()
        : this(new Shared())
    {
    }

    private StringPool(Shared shared) => _shared = shared;

    /// <summary>Set by the value parser when it skipped a field it does not know: the raw value is then kept.</summary>
    public bool SawUnknownField { get; set; }

    /// <summary>Scratch lists for the parser of this thread (copied out exactly sized, so values hold no slack).</summary>
    public List<string> ScratchStrings { get; } = [];

    /// <summary>Scratch list for the parser of this thread.</summary>
    public List<long> ScratchLongs { get; } = [];

    /// <summary>Another pool (for another thread) interning into the same table.</summary>
    public StringPool Share() => new(_shared);

    public string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxPooledLength)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[MaxPooledLength];
        var count = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        var span = chars[..count];
        if (_shared.Lookup.TryGetValue(span, out var pooled))
        {
            return pooled;
        }

        var created = span.ToString();
        if (_shared.Count < MaxEntries)
        {
            // Two threads may race on one new string: both get a usable (equal) string either way.
            if (_shared.Strings.TryAdd(created, created))
            {
                Interlocked.Increment(ref _shared.Count);
            }
        }

        return created;
    }

    private sealed class Shared
    {
        public Shared() => Lookup = Strings.GetAlternateLookup<ReadOnlySpan<char>>();

#pragma warning disable CA1051 // a private nested holder: the counter is incremented with Interlocked
        public int Count;
#pragma warning restore CA1051

        public ConcurrentDictionary<string, string> Strings { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }
    }
}
