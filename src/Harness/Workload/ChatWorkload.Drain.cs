using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.History;
using Chaos.Harness.Sut;
using Confluent.Kafka;

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
        var outcome = new DrainOutcome { Devices = _devices.Count, Jobs = _jobs.Count, Accounts = _options.Accounts };
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
                var job = await JobAsync(id, cancellationToken);
                if (job is { } found && IsTerminal(found))
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
                    if (await LatestSeqAsync(user, ct) < acknowledged)
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
    /// reference system has committed offsets up to the end of its topic — everything appended (sends, replays, jobs)
    /// has been consumed. The lag last seen goes into <paramref name="outcome"/> and the report; a group still behind
    /// after the bound does not stop the drain (a consumer stuck on a record is what lost and lost-job then show).
    /// </summary>
    private Task<bool> WaitForConsumersAsync(DrainOutcome outcome, TimeSpan bound, CancellationToken cancellationToken) =>
        PollUntilAsync(
            async ct =>
            {
                try
                {
                    var lags = await Task.Run(
                        () => ReferenceSystemOptions.ConsumerGroups.Select(g => (g.Group, g.Topic, Lag: GroupOffsets.Lag(_sut.BootstrapServers, g.Group, g.Topic))).ToList(),
                        ct);
                    outcome.ConsumerLag = string.Join(", ", lags.Select(l => $"{l.Group}/{l.Topic} {l.Lag}"));
                    return lags.All(l => l.Lag == 0);
                }
                catch (KafkaException e)
                {
                    outcome.ConsumerLag = $"unreadable: {e.Error.Reason}";
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
                var latest = await LatestSeqAsync(user, cancellationToken);
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
                var items = new List<SyncItem>();
                long after = 0;
                while (true)
                {
                    var page = await GetAsync($"/users/{device.User}/inbox?after={after}&limit=5000&device={device.Device}", await OwnerAsync(device.User, cancellationToken), cancellationToken);
                    var added = 0;
                    foreach (var item in page.GetProperty("items").EnumerateArray())
                    {
                        var seq = item.GetProperty("seq").GetInt64();
                        items.Add(new SyncItem(item.GetProperty("id").GetString()!, seq));
                        after = Math.Max(after, seq);
                        added++;
                    }

                    if (added < 5000)
                    {
                        break;
                    }
                }

                _history.Record(device.Process, HistoryEventType.Ok, HistoryOps.Sync, new SyncValue(device.User, device.Device, items));
                synced++;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
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
                if (await JobAsync(id, cancellationToken) is { } job)
                {
                    var state = job.GetProperty("state").GetString() switch
                    {
                        "done" => JobStates.Done,
                        "dead" => JobStates.DeadLettered,
                        var other => other ?? "unknown",
                    };
                    var reason = job.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                    int? attemptCount = null;
                    if (job.TryGetProperty("attempts", out var a) && a.ValueKind == JsonValueKind.Array)
                    {
                        attemptCount = a.GetArrayLength();
                        foreach (var at in a.EnumerateArray())
                        {
                            attempts.Add((at.GetProperty("atMs").GetInt64(), id, at.GetProperty("attempt").GetInt32(), at.TryGetProperty("outcome", out var o) ? o.GetString() : null));
                        }
                    }

                    _history.Record("drain", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue(id, state, reason, attemptCount));
                }
                else
                {
                    // acknowledged (or unknown) yet absent: the lost-job checker decides with the submit's outcome
                    _history.Record("drain", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue(id, "absent"));
                }

                read++;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
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

    private async Task<int> RecordBalancesAsync(CancellationToken cancellationToken)
    {
        var read = 0;
        for (var a = 1; a <= _options.Accounts; a++)
        {
            try
            {
                var json = await GetAsync($"/accounts/a{a}", _sut.Credentials.AdminAuthorization(), cancellationToken);
                _history.Record("drain", HistoryEventType.Ok, HistoryOps.Balance, new BalanceValue($"a{a}", json.GetProperty("balance").GetDecimal()));
                read++;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
            {
            }
        }

        return read;
    }

    private static bool IsTerminal(JsonElement job) =>
        job.TryGetProperty("state", out var s) && s.GetString() is "done" or "dead";

    private async Task<JsonElement?> JobAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync($"/jobs/{id}", _sut.Credentials.AdminAuthorization(), cancellationToken);
        }
        catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<long> LatestSeqAsync(string user, CancellationToken cancellationToken)
    {
        var json = await GetAsync($"/users/{user}/inbox?after=0&limit=1", await OwnerAsync(user, cancellationToken), cancellationToken);
        return json.TryGetProperty("latestSeq", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : 0;
    }

    /// <summary>An inbox is readable only by its owner: the user's own (cached) token.</summary>
    private async Task<AuthenticationHeaderValue> OwnerAsync(string user, CancellationToken cancellationToken) =>
        SystemCredentials.UserAuthorization(await TokenAsync(user, cancellationToken));

    /// <summary>GETs from the first api instance that answers (an instance may be down after faults).</summary>
    private async Task<JsonElement> GetAsync(string pathAndQuery, AuthenticationHeaderValue authorization, CancellationToken cancellationToken)
    {
        HttpRequestException? last = null;
        foreach (var api in _sut.ApiUrls)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api, pathAndQuery));
                request.Headers.Authorization = authorization;
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    throw new HttpRequestException($"GET {pathAndQuery}: 404", null, response.StatusCode);
                }

                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            }
            catch (HttpRequestException e) when (e.StatusCode != System.Net.HttpStatusCode.NotFound)
            {
                last = e;
            }
        }

        throw last ?? new HttpRequestException("no api instance");
    }
}
