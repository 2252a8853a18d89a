using System.Text.Json;
using Chaos.Harness.Checkers;
using Chaos.Scenarios.Verify;

namespace Chaos.Scenarios.Tests.Verify;

/// <summary>verify's re-run policy: only an undecided cell runs again, boundedly, and the report keeps every attempt.</summary>
public sealed class UndecidedRetryTests
{
    private static VerifyCell Cell(string? defect, Verdict verdict, int attempt, params string[] anomalies) =>
        new(defect, "websocket-cut", 1, verdict, anomalies, defect is null ? [] : ["duplicate"], $"/r/cell--retry{attempt}", $"{verdict} on attempt {attempt}");

    [Fact]
    public async Task An_undecided_cell_runs_again_with_the_same_seed_and_keeps_the_earlier_attempt()
    {
        var attempts = new List<int>();
        var told = new List<int>();

        var cell = await UndecidedRetry.RunAsync(
            a => { attempts.Add(a); return Task.FromResult(Cell(null, a == 0 ? Verdict.Unknown : Verdict.Valid, a)); },
            retries: 1, (_, next) => told.Add(next), TestContext.Current.CancellationToken);

        attempts.Should().Equal(0, 1);
        told.Should().Equal(1);
        cell.Outcome.Should().Be("clean");
        cell.EarlierAttempts.Should().ContainSingle().Which.Should().Contain("undecided").And.Contain("Unknown on attempt 0").And.Contain("/r/cell--retry0");
    }

    [Theory]
    [InlineData(null, Verdict.Invalid)]
    [InlineData(null, Verdict.Valid)]
    [InlineData("client-no-dedupe", Verdict.Valid)]
    [InlineData("client-no-dedupe", Verdict.Invalid)]
    public async Task A_decided_cell_is_never_run_again_so_a_false_alarm_or_a_miss_cannot_be_retried_away(string? defect, Verdict verdict)
    {
        var runs = 0;

        var cell = await UndecidedRetry.RunAsync(a => { runs++; return Task.FromResult(Cell(defect, verdict, a, "duplicate")); }, retries: 5, null, TestContext.Current.CancellationToken);

        runs.Should().Be(1);
        cell.Verdict.Should().Be(verdict);
        cell.EarlierAttempts.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    public async Task Re_runs_are_bounded_and_a_cell_undecided_every_time_stays_undecided_and_fails_the_matrix(int retries, int expectedRuns)
    {
        var runs = 0;

        var cell = await UndecidedRetry.RunAsync(a => { runs++; return Task.FromResult(Cell(null, Verdict.Unknown, a)); }, retries, null, TestContext.Current.CancellationToken);

        runs.Should().Be(expectedRuns);
        cell.Outcome.Should().Be("undecided");
        cell.EarlierAttempts.Should().HaveCount(retries);
        new VerifyReport([cell], 1, null).Passed.Should().BeFalse("an undecided correct run is not a clean one");
    }

    [Fact]
    public async Task Cancellation_stops_the_re_runs()
    {
        using var cts = new CancellationTokenSource();
        var runs = 0;

        var cell = await UndecidedRetry.RunAsync(a => { runs++; cts.Cancel(); return Task.FromResult(Cell(null, Verdict.Unknown, a)); }, retries: 3, null, cts.Token);

        runs.Should().Be(1);
        cell.Outcome.Should().Be("undecided");
    }

    [Fact]
    public void A_matrix_stopped_before_its_end_never_passes_and_says_it_is_partial()
    {
        var clean = Cell(null, Verdict.Valid, 1);

        var report = new VerifyReport([clean], 1, null) { Aborted = true };

        report.Passed.Should().BeFalse("a Ctrl-C after one clean cell is not a clean matrix");
        report.Outcome.Should().Be("ABORTED");
        report.Markdown().Should().StartWith("# Chaos verify — ABORTED");
        using var json = System.Text.Json.JsonDocument.Parse(report.Json());
        json.RootElement.GetProperty("aborted").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("passed").GetBoolean().Should().BeFalse();
        new VerifyReport([clean], 1, null).Outcome.Should().Be("PASSED");
    }

    [Fact]
    public void The_report_names_every_earlier_attempt_and_counts_only_the_last()
    {
        var cell = Cell(null, Verdict.Valid, 1) with { EarlierAttempts = ["undecided — the harness was overloaded (/r/cell)"] };
        var report = new VerifyReport([cell], 1, null);

        report.Passed.Should().BeTrue();
        var md = report.Markdown();
        md.Should().Contain("an earlier attempt, run again: undecided — the harness was overloaded (/r/cell)");
        md.Should().Contain("1 cell(s) were undecided first and run again with the same seed (1 earlier attempt(s)");
        using var json = JsonDocument.Parse(report.Json());
        json.RootElement.GetProperty("runs")[0].GetProperty("earlierAttempts")[0].GetString().Should().Contain("overloaded");
    }
}
