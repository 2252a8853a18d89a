using System.Globalization;
using Chaos.Harness.Reports;
using Xunit;

namespace Chaos.Testing;

/// <summary>
/// Attaches what a Chaos run wrote to the current xUnit v3 test's result (docs/testing-package.md, "The run's folder
/// in the test's result"): its folder's path and its report files (<see cref="RunReport.Files"/>: results.json,
/// summary.md with the command that reproduces the run, junit.xml, report.html), so a failed chaos test in CI carries
/// its evidence wherever xUnit's results go (its result files, a runner that shows attachments).
/// </summary>
/// <remarks>
/// Only the report files by their known names are read — never the history, nothing a run did not write — and no
/// link is followed (a link in a run folder points at a file the run did not write). A file over
/// <see cref="MaxBytes"/> is not read: the attachment says where it is instead. Each name carries the folder's name,
/// so two runs in one test keep apart.
/// </remarks>
public static class ChaosAttachments
{
    /// <summary>The largest report file attached whole (4 MiB); a larger one is named, not read.</summary>
    public const long MaxBytes = 4L * 1024 * 1024;

    /// <summary>
    /// Attaches the run folder <paramref name="runFolder"/> (its path, and each of its report files that exists) to
    /// <paramref name="context"/>'s test (the current test by default); returns the attachments' names.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidOperationException">No test is running in the context.</exception>
    public static IReadOnlyList<string> AttachRunFolder(string runFolder, ITestContext? context = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        var folder = new DirectoryInfo(Path.GetFullPath(runFolder));
        if (!folder.Exists)
        {
            throw new DirectoryNotFoundException($"the run folder {folder.FullName} does not exist");
        }

        context ??= TestContext.Current;
        if (context.Test is null)
        {
            throw new InvalidOperationException("no test is running: attach a run folder from inside a test");
        }

        var prefix = "chaos/" + folder.Name + "/";
        var names = new List<string> { prefix + "folder" };
        context.AddAttachment(names[0], folder.FullName, replaceExistingValue: true);
        foreach (var file in RunReport.Files)
        {
            var info = new FileInfo(Path.Combine(folder.FullName, file));
            if (!info.Exists)
            {
                continue;
            }

            var name = prefix + file;
            if (info.LinkTarget is not null)
            {
                context.AddAttachment(name, $"{info.FullName} is a link, not a file a run wrote: not attached", replaceExistingValue: true);
            }
            else if (info.Length > MaxBytes)
            {
                context.AddAttachment(name, string.Create(CultureInfo.InvariantCulture,
                    $"{info.FullName} is {info.Length} bytes, over the {MaxBytes} attached whole: read it there"), replaceExistingValue: true);
            }
            else if (file.EndsWith(".html", StringComparison.Ordinal))
            {
                context.AddAttachment(name, File.ReadAllBytes(info.FullName), replaceExistingValue: true, mediaType: "text/html");
            }
            else
            {
                context.AddAttachment(name, File.ReadAllText(info.FullName), replaceExistingValue: true);
            }

            names.Add(name);
        }

        return names;
    }
}
