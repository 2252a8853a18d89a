using System.Globalization;
using System.Net;
using System.Text;

namespace Chaos.Harness.Reports;

/// <summary>Hand-written inline SVG (no library, no script): a time-series line chart with shaded fault windows, and
/// an event timeline. Written here rather than with a charting package because the report must be one offline file
/// and the charts are simple.</summary>
internal static class SvgChart
{
    private const int Width = 900;
    private const int Height = 260;
    private const int Left = 64;
    private const int Right = 130;
    private const int Top = 28;
    private const int Bottom = 36;

    public sealed record Line(string Name, string Color, IReadOnlyList<(long Time, double Value)> Points);

    public static string TimeSeries(string title, string unit, long duration, IReadOnlyList<Line> lines, IReadOnlyList<(long Start, long End, string Label)> shaded)
    {
        var svg = new StringBuilder();
        var max = lines.SelectMany(l => l.Points).Select(p => p.Value).DefaultIfEmpty(0).Max();
        var yMax = NiceCeiling(max <= 0 ? 1 : max * 1.1);
        var span = Math.Max(1, duration);
        double X(long t) => Left + ((double)t / span * (Width - Left - Right));
        double Y(double v) => Height - Bottom - (v / yMax * (Height - Top - Bottom));

        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" class=\"title\">{Encode(title)}</text>");
        foreach (var (start, end, label) in shaded)
        {
            var x0 = X(start);
            var x1 = Math.Max(x0 + 1, X(end));
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x0)}\" y=\"{Top}\" width=\"{F(x1 - x0)}\" height=\"{Height - Top - Bottom}\" class=\"fault\"><title>{Encode(label)}</title></rect>");
        }

        for (var i = 0; i <= 4; i++)
        {
            var v = yMax * i / 4;
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" class=\"axis\" text-anchor=\"end\">{F(v)}</text>");
        }

        for (var i = 0; i <= 6; i++)
        {
            var t = span * i / 6;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(t))}\" y=\"{Height - Bottom + 16}\" class=\"axis\" text-anchor=\"middle\">{TimeLabel(t, span)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 50}\" y=\"{Top - 8}\" class=\"axis\">{Encode(unit)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" class=\"axisline\"/>");
        var legendY = Top + 10;
        foreach (var line in lines)
        {
            if (line.Points.Count > 0)
            {
                var points = string.Join(' ', line.Points.Select(p => $"{F(X(p.Time))},{F(Y(p.Value))}"));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"1.6\"/>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 12}\" y=\"{legendY - 8}\" width=\"12\" height=\"4\" fill=\"{line.Color}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 30}\" y=\"{legendY - 3}\" class=\"axis\">{Encode(line.Name)}</text>");
            legendY += 16;
        }

        if (shaded.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 12}\" y=\"{legendY - 10}\" width=\"12\" height=\"8\" class=\"fault\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 30}\" y=\"{legendY - 3}\" class=\"axis\">fault</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Events placed along a time axis, labelled with their index and op.</summary>
    public static string Timeline(IReadOnlyList<(long Index, long Time, string Label, string Kind)> events)
    {
        const int width = 900, height = 90, left = 100, right = 100, axisY = 58;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"event timeline\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{axisY}\" y2=\"{axisY}\" class=\"axisline\"/>");
        if (events.Count > 0)
        {
            var min = events.Min(e => e.Time);
            var span = Math.Max(1, events.Max(e => e.Time) - min);
            var placed = 0;
            foreach (var e in events.OrderBy(e => e.Time).ThenBy(e => e.Index))
            {
                // Spread evenly by rank when times coincide, by time otherwise: evidence must stay readable.
                var byTime = left + ((double)(e.Time - min) / span * (width - left - right));
                var byRank = left + (events.Count == 1 ? 0 : (double)placed / (events.Count - 1) * (width - left - right));
                var x = span <= 1 ? byRank : (byTime * 0.5) + (byRank * 0.5);
                var labelY = placed % 2 == 0 ? axisY - 16 : axisY - 34;
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x)}\" cy=\"{axisY}\" r=\"5\" class=\"ev {e.Kind}\"><title>{Encode(e.Label)}</title></circle>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{labelY}\" class=\"axis\" text-anchor=\"middle\">#{e.Index} {Encode(e.Label.Length > 28 ? e.Label[..28] + "…" : e.Label)}</text>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{axisY + 18}\" class=\"axis\" text-anchor=\"middle\">{ReportFormat.Ms(e.Time)} ms</text>");
                placed++;
            }
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string TimeLabel(long ns, long span) =>
        span >= 10_000_000_000L ? $"{ns / 1e9:0}s" : span >= 1_000_000_000L ? $"{ns / 1e9:0.0}s" : $"{ns / 1e6:0.#}ms";

    private static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }
}
