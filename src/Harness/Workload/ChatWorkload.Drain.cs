using Chaos.Harness.Api;
using Chaos.Harness.History;

namespace Chaos.Harness.Workload;

public sealed partial class ChatWorkload
{
    /// <summary>How long the drain waits for an info-submitted job to show up before it stops waiting for it.</summary>
    private const long UnknownJobGraceMs = 5000;

    /// <summary>How long the drain waits for the inboxes to absorb every acknowledged send (see <see cref="WaitForInboxesAsync"/>).</summary>
    private static readonly TimeSpan InboxSettleBound = TimeSpan.FromSeconds(20);

    /// <summary>How long the drain waits for the consumer groups to commit everything on their topics (see <see cref="WaitForConsumersAsync"/>).</summary>
    private static readonly TimeSpan ConsumerSettleBound = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The final drain (run phase 6), bounded by <paramref name="timeout"/>: waits for every job to reach a terminal
    /// state, every inbox to hold what was acknowledged, every consumer group to catch up with its topic and every
    /// device to catch up live with its durable inbox (a wait the time ran out in or before is reported as out of time), then
    /// records each job's state, each account's balance and each device's sync from sequence 0. Returns whether it finished; when it did not, devices or jobs it
    /// could not read are left without their final event, so the checkers answer unknown rather than guess.
    /// </summary>
    public async Task<DrainOutcome> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        var ct = bounded.Token;
        _history.Record(HistoryOps.NemesisProcess, HistoryEventType.Invoke, HistoryOps.Drain, new MarkerValue(Detail: "final drain"));
        // balances are read only when jobs were submitted: a run without jobs (--job-rate 0, or a system that runs none)
        // has no effects to check, and a system without accounts no balances to read
        var outcome = new DrainOutcome { Devices = _devices.Count, Jobs = _jobs.Count, Accounts = _jobs.IsEmpty ? 0 : _options.Accounts };
        try
        {
            outcome.JobsSettled = await WaitForJobsAsync(ct);
            outcome.InboxesSettled = await WaitForInboxesAsync(InboxSettleBound, ct);
            outcome.ConsumersCaughtUp = await WaitForConsumersAsync(outcome, ConsumerSettleBound, ct);
            outcome.DevicesCaughtUp = await WaitForDevicesAsync(ct);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // out of time: record what can still be read below, with a short budget of its own
        }

        using var reads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        reads.CancelAfter(TimeSpan.FromSeconds(30));
        outcome.Synced = await RecordSyncsAsync(reads.Token);
        outcome.JobsRead = await RecordJobsAsync(reads.Token);
        await RecordDeadLettersAsync(reads.Token);
        outcome.AccountsRead = await RecordBalancesAsync(reads.Token);
        _history.Record(
            HistoryOps.NemesisProcess,
            outcome.Finished ? HistoryEventType.Ok : HistoryEventType.Info,
            HistoryOps.Drain,
            new MarkerValue(Detail: outcome.ToString()));
        return outcome;
    }

    private async Task<bool> WaitForJobsAsync(CancellationToken cancellationToken)
    {
        var pending = new HashSet<string>(_jobs.Keys, StringComparer.Ordinal);
        var started = Environment.TickCount64;
        while (pending.Count > 0)
        {
            foreach (var id in pending.ToArray())
            {
                var job = await _api.ReadJobAsync(id, cancellationToken);
                if (job is { IsTerminal: true })
                {
                    pending.Remove(id);
                }
                else if (job is null && _jobs[id].Unknown && Environment.TickCount64 - started > UnknownJobGraceMs)
                {
                    // a submit that ended info (e.g. its api was killed) and never reached the store can never settle;
                    // the lost-job checker judges it by the submit's outcome
                    pending.Remove(id);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(200, cancellationToken);
            }
        }

        return true;
    }

    /// <summary>
    /// Bounded courtesy for the consumers (ARCHITECTURE §5: every consumer catches up): waits until each user's durable
    /// inbox holds at least as many entries as sends to that user were acknowledged — a consumer group still
    /// rebalancing after the last fault has not yet appended the newest ones. Returns false when the bound passes
    /// first; the drain goes on regardless, and what is still missing is what the loss checker reports.
    /// </summary>
    private Task<bool> WaitForInboxesAsync(TimeSpan bound, CancellationToken cancellationToken) =>
        PollUntilAsync(
            async ct =>
            {
                foreach (var (user, acknowledged) in _acknowledgedTo)
                {
                    if (await LatestSequenceAsync(user, ct) < acknowledged)
                    {
                        return false;
                    }
                }

                return true;
            },
            bound,
            cancellationToken);

    /// <summary>
    /// Bounded courtesy too (ARCHITECTURE §5, "every consumer catches up"): waits until each consumer group of the
    /// system has committed offsets up to the end of its topic — everything appended (sends, replays, jobs)
    /// has been consumed. The lag last seen goes into <paramref name="outcome"/> and the report; a group still behind
    /// after the bound does not stop the drain (a consumer stuck on a record is what lost and lost-job then show).
    /// </summary>
    private Task<bool> WaitForConsumersAsync(DrainOutcome outcome, TimeSpan bound, CancellationToken cancellationToken) =>
        PollUntilAsync(
            async ct =>
            {
                try
                {
                    var lags = await _api.ConsumerLagAsync(ct);
                    outcome.ConsumerLag = string.Join(", ", lags.Select(l => $"{l.Group}/{l.Topic} {l.Lag}"));
                    return lags.All(l => l.Lag == 0);
                }
                catch (SystemReadException e)
                {
                    outcome.ConsumerLag = $"unreadable: {e.Message}";
                    return false;
                }
            },
            bound,
            cancellationToken);

    /// <summary>Polls <paramref name="settled"/> every 250 ms until it holds (true) or <paramref name="bound"/> has passed (false).</summary>
    private static async Task<bool> PollUntilAsync(Func<CancellationToken, Task<bool>> settled, TimeSpan bound, CancellationToken cancellationToken)
    {
        var start = Environment.TickCount64;
        while (!await settled(cancellationToken))
        {
            if (Environment.TickCount64 - start > (long)bound.TotalMilliseconds)
            {
                return false;
            }

            await Task.Delay(250, cancellationToken);
        }

        return true;
    }

    private async Task<bool> WaitForDevicesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var behind = 0;
            foreach (var user in Users)
            {
                var latest = await LatestSequenceAsync(user, cancellationToken);
                behind += _devices.Count(d => d.User == user && d.Client.LastSequence < latest);
            }

            if (behind == 0)
            {
                return true;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    private async Task<int> RecordSyncsAsync(CancellationToken cancellationToken)
    {
        var synced = 0;
        foreach (var device in _devices)
        {
            try
            {
                // read as its owner (an inbox is readable only by its user)
                var items = await _api.ReadInboxAsync(device.User, device.Device, await TokenAsync(device.User, cancellationToken), cancellationToken);
                _history.Record(device.Process, HistoryEventType.Ok, HistoryOps.Sync, new SyncValue(device.User, device.Device, items));
                synced++;
            }
            catch (Exception e) when (e is SystemReadException or OperationCanceledException)
            {
                // no sync event for this device: the delivery checkers answer unknown for it
            }
        }

        return synced;
    }

    private async Task<int> RecordJobsAsync(CancellationToken cancellationToken)
    {
        var read = 0;
        var attempts = new List<(long AtMs, string Id, int Attempt, string? Outcome)>();
        foreach (var id in _jobs.Keys.Order(StringComparer.Ordinal))
        {
            try
            {
                if (await _api.ReadJobAsync(id, cancellationToken) is { } job)
                {
                    foreach (var at in job.Attempts ?? [])
                    {
                        attempts.Add((at.AtMs, id, at.Attempt, at.Outcome));
                    }

                    _history.Record("drain", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue(id, job.State, job.Reason, job.Attempts?.Count));
                }
                else
                {
                    // acknowledged (or unknown) yet absent: the lost-job checker decides with the submit's outcome
                    _history.Record("drain", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue(id, "absent"));
                }

                read++;
            }
            catch (Exception e) when (e is SystemReadException or OperationCanceledException)
            {
                // unread: no job-state event
            }
        }

        // every processing attempt, at the time the server stamped on it, in time order (docs/history.md: attempt)
        foreach (var (atMs, id, attempt, outcome) in attempts.OrderBy(x => x.AtMs).ThenBy(x => x.Id, StringComparer.Ordinal).ThenBy(x => x.Attempt))
        {
            var time = _clockAnchor.HistoryNs + ((atMs - _clockAnchor.WallMs) * 1_000_000);
            _history.RecordAt(time, "jobs", HistoryEventType.Ok, HistoryOps.Attempt, new AttemptValue(id, attempt, outcome));
            Jobs.CountAttempt(outcome);
        }

        return read;
    }

    /// <summary>The dead-letter topic as Kafka holds it, read after the job states (docs/history.md, "dead-letters").</summary>
    private async Task RecordDeadLettersAsync(CancellationToken cancellationToken)
    {
        if (_jobs.IsEmpty)
        {
            return;
        }

        try
        {
            if (await _api.ReadDeadLettersAsync(cancellationToken) is { } read)
            {
                _history.Record("drain", HistoryEventType.Ok, HistoryOps.DeadLetters, read);
            }
        }
        catch (Exception e) when (e is SystemReadException or OperationCanceledException)
        {
            // unread: no dead-letters event, and dlq-record-missing stays unchecked
        }
    }

    private async Task<int> RecordBalancesAsync(CancellationToken cancellationToken)
    {
        var read = 0;
        for (var a = 1; a <= _options.Accounts && !_jobs.IsEmpty; a++)
        {
            try
            {
                _history.Record("drain", HistoryEventType.Ok, HistoryOps.Balance, new BalanceValue($"a{a}", await _api.ReadBalanceAsync($"a{a}", cancellationToken)));
                read++;
            }
            catch (Exception e) when (e is SystemReadException or OperationCanceledException)
            {
                // unread: no balance event
            }
        }

        return read;
    }
}
