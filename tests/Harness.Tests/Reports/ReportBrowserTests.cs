using System.Diagnostics;
using Chaos.Harness.Checkers;
using Chaos.Harness.Reports;
using Chaos.Harness.Tests.Support;

namespace Chaos.Harness.Tests.Reports;

/// <summary>
/// report.html in a real browser: Debian's headless Chromium (or the binary <c>CHAOS_CHROMIUM</c> names) loads the page
/// of a run with overlapping faults and a stall, logs nothing to its console (an SVG attribute the browser refuses —
/// a NaN coordinate, say — is logged there) and its screenshot is not blank. Skipped, saying so, without Chromium;
/// .ci/run installs it (docs/testing.md).
/// </summary>
public sealed class ReportBrowserTests : IDisposable
{
    private const string Variable = "CHAOS_CHROMIUM";
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_report_with_overlapping_faults_and_a_stall_renders_without_a_console_error_and_is_not_blank()
    {
        var chromium = Chromium();
        var h = RunReportTests.StalledWithOverlappingFaults();
        var html = HtmlReport.Render(new ReportInput(h.Events, StandardChecks.Check(h.Events), new RunMetadata { Scenario = "overlap", Seed = 7 }));

        var (console, screenshot) = await ShootAsync(chromium, "report.html", html);

        console.Should().BeEmpty("the page logs nothing to the browser's console");
        var (inked, colours) = Ink(Png.Read(screenshot));
        inked.Should().BeGreaterThan(0.02, "text, charts and tables cover part of the page");
        colours.Should().BeGreaterThan(8, "the charts draw in their colours");
    }

    [Fact]
    public async Task The_browser_check_sees_a_refused_svg_attribute_and_a_blank_page()
    {
        var chromium = Chromium();

        var (console, _) = await ShootAsync(chromium, "bad.html", """<!DOCTYPE html><html><body><svg width="90" height="90"><polyline points="1,2 NaN,3" stroke="red"/></svg></body></html>""");
        var (_, blank) = await ShootAsync(chromium, "blank.html", "<!DOCTYPE html><html><body></body></html>");

        console.Should().ContainSingle().Which.Should().Contain("attribute points");
        Ink(Png.Read(blank)).Inked.Should().Be(0);
    }

    private static string Chromium()
    {
        var named = Environment.GetEnvironmentVariable(Variable);
        var found = !string.IsNullOrWhiteSpace(named)
            ? named
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .SelectMany(d => new[] { Path.Combine(d, "chromium"), Path.Combine(d, "chromium-browser") })
                .FirstOrDefault(File.Exists);
        Assert.SkipWhen(found is null, $"needs Chromium to load the report: install it (Debian: apt-get install chromium; .ci/run does) or set {Variable}");
        return found!;
    }

    /// <summary>Loads <paramref name="html"/> headless; returns what it logged to its console and its screenshot (PNG).</summary>
    private async Task<(List<string> Console, byte[] Screenshot)> ShootAsync(string chromium, string name, string html)
    {
        var page = Path.Combine(_dir, name);
        var shot = Path.Combine(_dir, name + ".png");
        await File.WriteAllTextAsync(page, html, TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // everything the browser keeps (profile, caches, dconf) goes under the test's folder, not the user's home
        foreach (var variable in new[] { "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME" })
        {
            start.Environment[variable] = Path.Combine(_dir, "home");
        }
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            $"--user-data-dir={Path.Combine(_dir, "profile")}", "--window-size=1000,2600", $"--screenshot={shot}", new Uri(page).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var browser = Process.Start(start)!;
        var stdout = browser.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = browser.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await browser.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!browser.HasExited)
            {
                browser.Kill(entireProcessTree: true);
            }
        }

        var log = await stderr + await stdout;
        File.Exists(shot).Should().BeTrue($"Chromium wrote its screenshot (exit {browser.ExitCode}; its log: {log[^Math.Min(log.Length, 2000)..]})");
        var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        return (console, await File.ReadAllBytesAsync(shot, TestContext.Current.CancellationToken));
    }

    /// <summary>The share of pixels that are not (near) white, and how many distinct colours (to 32 levels) they have.</summary>
    private static (double Inked, int Colours) Ink(Png image)
    {
        long inked = 0;
        var colours = new HashSet<int>();
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var (r, g, b) = image[x, y];
                if (r < 240 || g < 240 || b < 240)
                {
                    inked++;
                    colours.Add((r >> 3 << 10) | (g >> 3 << 5) | (b >> 3));
                }
            }
        }

        return ((double)inked / ((long)image.Width * image.Height), colours.Count);
    }
}
