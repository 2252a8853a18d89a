using System.Text;

namespace Chaos.Harness.Topology.Containers;

/// <summary>Turns UTF-8 chunks of one stream into lines (a chunk may end mid-line or mid-character).</summary>
internal sealed class LineAssembler(Action<string> onLine)
{
    private readonly Decoder decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder pending = new();
    private char[] chars = new char[1024];

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var needed = decoder.GetCharCount(bytes, flush: false);
        if (needed > chars.Length)
        {
            chars = new char[needed];
        }

        var count = decoder.GetChars(bytes, chars, flush: false);
        foreach (var c in chars.AsSpan(0, count))
        {
            if (c == '\n')
            {
                Emit();
            }
            else
            {
                pending.Append(c);
            }
        }
    }

    public void Flush()
    {
        if (pending.Length > 0)
        {
            Emit();
        }
    }

    private void Emit()
    {
        if (pending.Length > 0 && pending[^1] == '\r')
        {
            pending.Length--;
        }

        onLine(pending.ToString());
        pending.Clear();
    }
}
