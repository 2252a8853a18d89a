using System.Text.Json;
using Chaos.Reference.Hosting;

namespace Chaos.Reference.Observability;

/// <summary>
/// Writes this process's failure-path counts (<see cref="FailurePaths"/>) to <c>DIR/&lt;instance&gt;.&lt;pid&gt;.json</c>
/// every second and once more on shutdown (<c>--failure-paths DIR</c>): a SIGKILLed node loses at most the last second,
/// and each incarnation of a restarted node writes its own file. Written whole to a temporary file and renamed, so a
/// reader never sees half a file. Format: docs/failure-paths.md.
/// </summary>
internal sealed class FailurePathFile(SystemOptions options, TimeProvider time) : BackgroundService
{
    public const string Format = "chaos.failure-paths/1";
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private long _written = -1;
    private int _warned;

    private string Path => System.IO.Path.Combine(options.FailurePaths!, $"{options.Instance}.{Environment.ProcessId}.json");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Write();
        using var timer = new PeriodicTimer(Every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Write();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutdown: StopAsync writes the last counts
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Write(force: true);
    }

    private void Write(bool force = false)
    {
        try
        {
            WriteFile(force);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a probe must never take the node down: the run's failure-path report will show this instance's file as stale
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Console.Error.WriteLine($"failure paths: cannot write {Path}: {e.Message}");
            }
        }
    }

    private void WriteFile(bool force)
    {
        var total = FailurePaths.All.Sum(p => p.Hits);
        if (!force && total == Interlocked.Read(ref _written))
        {
            return; // nothing new since the last write: an idle node does not touch the disk
        }

        // created here, inside Write's catch: a folder the node cannot create must not take the node down
        Directory.CreateDirectory(options.FailurePaths!);
        var temporary = Path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("instance", options.Instance);
            json.WriteString("role", options.Role);
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteStartArray("paths");
            foreach (var path in FailurePaths.All)
            {
                json.WriteStartObject();
                json.WriteString("name", path.Name);
                json.WriteString("role", path.Role);
                json.WriteString("handles", path.Handles);
                json.WriteNumber("hits", path.Hits);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        File.Move(temporary, Path, overwrite: true);
        Interlocked.Exchange(ref _written, total);
    }
}
