using System.Globalization;
using System.Net;
using System.Text;

namespace Chaos.Harness.Reports;

/// <summary>Hand-written inline SVG (no library, no script): time-series lines that break where there is no data,
/// fault windows as labelled lanes with anomaly markers, a per-operation latency scatter, a latency distribution and an
/// event timeline. Written here rather than with a charting package (ScottPlot draws through SkiaSharp's native
/// library) because the report must be one offline file and the charts are simple; every chart of a report shares
/// one time axis (<see cref="Left"/>, <see cref="Right"/>), so a fault's lane sits under what it did.</summary>
internal static class SvgChart
{
    private const int Width = 900;
    private const int Height = 260;
    private const int Left = 64;
    private const int Right = 130;
    private const int Top = 28;
    private const int Bottom = 36;

    /// <summary>A line; a point whose value is NaN is a gap: the line stops before it and starts again after it.</summary>
    public sealed record Line(string Name, string Color, IReadOnlyList<(long Time, double Value)> Points);

    /// <summary>One fault window on its lane (lanes are keyed by target).</summary>
    public sealed record LaneBar(string Lane, string Label, long Start, long End, bool Healed);

    /// <summary>An anomaly example placed in time, linking to its section of the report.</summary>
    public sealed record Marker(long Time, string Anomaly, string Label);

    /// <summary>One operation: when it was invoked, how long until its completion, and how it completed (ok, fail, info).</summary>
    public readonly record struct OperationPoint(long Time, long Latency, string Kind);

    public static string TimeSeries(string title, string unit, long duration, IReadOnlyList<Line> lines)
    {
        var svg = new StringBuilder();
        var max = lines.SelectMany(l => l.Points).Select(p => p.Value).Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
        var yMax = NiceCeiling(max <= 0 ? 1 : max * 1.1);
        var span = Math.Max(1, duration);
        double X(long t) => Left + ((double)t / span * (Width - Left - Right));
        double Y(double v) => Height - Bottom - (v / yMax * (Height - Top - Bottom));

        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" class=\"title\">{Encode(title)}</text>");
        for (var i = 0; i <= 4; i++)
        {
            var v = yMax * i / 4;
            var y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" class=\"axis\" text-anchor=\"end\">{F(v)}</text>");
        }

        TimeTicks(svg, span, Height - Bottom + 16, X);

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 50}\" y=\"{Top - 8}\" class=\"axis\">{Encode(unit)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" class=\"axisline\"/>");
        var legendY = Top + 10;
        foreach (var line in lines)
        {
            foreach (var segment in Segments(line.Points))
            {
                // one point alone is drawn as a dot: a polyline of one point draws nothing
                var points = string.Join(' ', segment.Select(p => $"{F(X(p.Time))},{F(Y(p.Value))}"));
                if (segment.Count == 1)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(segment[0].Time))}\" cy=\"{F(Y(segment[0].Value))}\" r=\"1.8\" fill=\"{line.Color}\"/>");
                }
                else
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"1.6\"/>");
                }
            }

            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 12}\" y=\"{legendY - 8}\" width=\"12\" height=\"4\" fill=\"{line.Color}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 30}\" y=\"{legendY - 3}\" class=\"axis\">{Encode(line.Name)}</text>");
            legendY += 16;
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// Fault windows as lanes, one per target, each bar labelled with its fault (overlapping faults on different targets
    /// stay apart), and a row of anomaly markers below them, each a link to its anomaly's section.
    /// </summary>
    public static string Lanes(long duration, IReadOnlyList<LaneBar> bars, IReadOnlyList<Marker> markers)
    {
        const int row = 20, top = 24, markerRow = 22;
        var lanes = bars.Select(b => b.Lane).Distinct(StringComparer.Ordinal).ToList();
        var height = top + (Math.Max(1, lanes.Count) * row) + (markers.Count > 0 ? markerRow : 0) + 24;
        var span = Math.Max(1, duration);
        double X(long t) => Left + ((double)Math.Clamp(t, 0, span) / span * (Width - Left - Right));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"fault lanes\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"16\" class=\"title\">Faults by target{(markers.Count > 0 ? ", anomalies below" : "")}</text>");
        if (lanes.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{top + 14}\" class=\"axis\">no fault recorded</text>");
        }

        for (var i = 0; i < lanes.Count; i++)
        {
            var y = top + (i * row);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y + row - 1}\" y2=\"{y + row - 1}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 14}\" class=\"axis\" text-anchor=\"end\">{Encode(Short(lanes[i], 12))}<title>{Encode(lanes[i])}</title></text>");
            foreach (var bar in bars.Where(b => b.Lane == lanes[i]))
            {
                var x0 = X(bar.Start);
                var x1 = Math.Max(x0 + 2, X(bar.End));
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x0)}\" y=\"{y + 3}\" width=\"{F(x1 - x0)}\" height=\"{row - 6}\" class=\"fault lane{(bar.Healed ? "" : " unhealed")}\"><title>{Encode(bar.Label)}</title></rect>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x0 + 3)}\" y=\"{y + 14}\" class=\"axis lanelabel\">{Encode(Short(bar.Label, Math.Max(0, (int)((x1 - x0) / 6))))}</text>");
            }
        }

        var axisY = top + (Math.Max(1, lanes.Count) * row);
        if (markers.Count > 0)
        {
            var my = axisY + (markerRow / 2);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{my + 4}\" class=\"axis\" text-anchor=\"end\">anomalies</text>");
            foreach (var marker in markers)
            {
                var x = X(marker.Time);
                svg.Append(CultureInfo.InvariantCulture, $"<a href=\"#{Encode(marker.Anomaly)}\"><path d=\"M{F(x)},{my - 6} l5,10 h-10 z\" class=\"marker\"><title>{Encode(marker.Label)}</title></path></a>");
            }

            axisY += markerRow;
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{axisY}\" y2=\"{axisY}\" class=\"axisline\"/>");
        TimeTicks(svg, span, axisY + 16, X);

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// Each operation as a dot at its invoke time, its height the time to its completion on a log scale, coloured by
    /// how it completed (ok, fail, info) — Jepsen's latency-raw plot. <paramref name="shown"/> says how many of how many
    /// operations are drawn when there were too many to draw each.
    /// </summary>
    public static string Scatter(string title, long duration, IReadOnlyList<OperationPoint> points, string shown)
    {
        var svg = new StringBuilder();
        var span = Math.Max(1, duration);
        var ms = points.Select(p => Math.Max(p.Latency / 1e6, 0.01)).ToList();
        var lo = Math.Pow(10, Math.Floor(Math.Log10(ms.DefaultIfEmpty(1).Min())));
        var hi = Math.Pow(10, Math.Ceiling(Math.Log10(ms.DefaultIfEmpty(10).Max() * 1.01)));
        hi = Math.Max(hi, lo * 10);
        double X(long t) => Left + ((double)Math.Clamp(t, 0, span) / span * (Width - Left - Right));
        double Y(double v) => Height - Bottom - ((Math.Log10(Math.Max(v, lo)) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo)) * (Height - Top - Bottom));

        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" class=\"title\">{Encode(title)}</text>");
        for (var decade = lo; decade <= hi * 1.001; decade *= 10)
        {
            var y = Y(decade);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" class=\"axis\" text-anchor=\"end\">{decade.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        }

        TimeTicks(svg, span, Height - Bottom + 16, X);

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 50}\" y=\"{Top - 8}\" class=\"axis\">ms (log)</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" class=\"axisline\"/>");
        var legendY = Top + 10;
        foreach (var kind in new[] { "ok", "fail", "info" })
        {
            // one path per outcome, each dot a zero-length segment with a round cap: small for thousands of points
            var dots = new StringBuilder();
            var count = 0;
            foreach (var p in points.Where(p => p.Kind == kind))
            {
                dots.Append(CultureInfo.InvariantCulture, $"M{F(X(p.Time))} {F(Y(p.Latency / 1e6))}h0");
                count++;
            }

            if (count > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{dots}\" class=\"dots {kind}\"/>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{Width - Right + 18} {legendY - 5}h0\" class=\"dots {kind}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 30}\" y=\"{legendY - 1}\" class=\"axis\">{kind} ({count})</text>");
            legendY += 16;
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 12}\" y=\"{legendY + 4}\" class=\"axis\">{Encode(shown)}</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>How many latencies fell in each of 40 log-spaced bins, with the p50 and p99 marked.</summary>
    public static string Histogram(string title, IReadOnlyList<long> sortedNs)
    {
        const int bins = 40;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" class=\"title\">{Encode(title)}</text>");
        if (sortedNs.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top + 20}\" class=\"axis\">no delivery to measure</text></svg>");
            return svg.ToString();
        }

        var lo = Math.Log10(Math.Max(sortedNs[0] / 1e6, 0.01));
        var hi = Math.Max(Math.Log10(Math.Max(sortedNs[^1] / 1e6, 0.01)), lo + 1e-3);
        var counts = new long[bins];
        foreach (var ns in sortedNs)
        {
            var at = (Math.Log10(Math.Max(ns / 1e6, 0.01)) - lo) / (hi - lo);
            counts[Math.Clamp((int)(at * bins), 0, bins - 1)]++;
        }

        var yMax = NiceCeiling(Math.Max(1, counts.Max()) * 1.1);
        var plotWidth = Width - Left - Right;
        double X(double log) => Left + ((log - lo) / (hi - lo) * plotWidth);
        double Y(double v) => Height - Bottom - (v / yMax * (Height - Top - Bottom));
        for (var i = 0; i <= 4; i++)
        {
            var v = yMax * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Y(v))}\" y2=\"{F(Y(v))}\" class=\"grid\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(Y(v) + 4)}\" class=\"axis\" text-anchor=\"end\">{F(v)}</text>");
        }

        var barWidth = (double)plotWidth / bins;
        for (var b = 0; b < bins; b++)
        {
            if (counts[b] > 0)
            {
                var from = lo + ((hi - lo) * b / bins);
                var to = lo + ((hi - lo) * (b + 1) / bins);
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Left + (b * barWidth))}\" y=\"{F(Y(counts[b]))}\" width=\"{F(Math.Max(1, barWidth - 1))}\" height=\"{F(Height - Bottom - Y(counts[b]))}\" class=\"bar\"><title>{counts[b]} deliveries in {Math.Pow(10, from).ToString("0.##", CultureInfo.InvariantCulture)}–{Math.Pow(10, to).ToString("0.##", CultureInfo.InvariantCulture)} ms</title></rect>");
            }
        }

        for (var i = 0; i <= 6; i++)
        {
            var log = lo + ((hi - lo) * i / 6);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(log))}\" y=\"{Height - Bottom + 16}\" class=\"axis\" text-anchor=\"middle\">{Math.Pow(10, log).ToString(Math.Pow(10, log) < 10 ? "0.##" : "0", CultureInfo.InvariantCulture)} ms</text>");
        }

        foreach (var (name, percentile) in new[] { ("p50", 50.0), ("p99", 99.0) })
        {
            var value = sortedNs[Math.Clamp((int)Math.Ceiling(percentile / 100 * sortedNs.Count) - 1, 0, sortedNs.Count - 1)];
            var x = X(Math.Log10(Math.Max(value / 1e6, 0.01)));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" class=\"pline\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x + 3)}\" y=\"{Top + 10}\" class=\"axis\">{name} {ReportFormat.Ms(value)} ms</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 50}\" y=\"{Top - 8}\" class=\"axis\">count</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" class=\"axisline\"/>");
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

    /// <summary>Seven labels along the shared time axis, at <paramref name="y"/>.</summary>
    private static void TimeTicks(StringBuilder svg, long span, double y, Func<long, double> x)
    {
        for (var i = 0; i <= 6; i++)
        {
            var t = span * i / 6;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x(t))}\" y=\"{F(y)}\" class=\"axis\" text-anchor=\"middle\">{TimeLabel(t, span)}</text>");
        }
    }

    /// <summary>The runs of consecutive non-NaN points: a NaN is a gap the line must not bridge.</summary>
    private static List<List<(long Time, double Value)>> Segments(IReadOnlyList<(long Time, double Value)> points)
    {
        var segments = new List<List<(long Time, double Value)>>();
        List<(long Time, double Value)>? current = null;
        foreach (var p in points)
        {
            if (double.IsNaN(p.Value) || double.IsInfinity(p.Value))
            {
                current = null;
                continue;
            }

            if (current is null)
            {
                current = [];
                segments.Add(current);
            }

            current.Add(p);
        }

        return segments;
    }

    private static string Short(string text, int max) => max <= 1 ? "" : text.Length <= max ? text : text[..(max - 1)] + "…";


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
