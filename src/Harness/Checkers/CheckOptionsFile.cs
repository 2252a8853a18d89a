using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Harness.Checkers;

/// <summary>
/// A run's <see cref="CheckOptions"/> as JSON (<c>check-options.json</c>, written beside the history), so that
/// <c>chaos check</c> on a saved run judges it by the same SLOs, retry and reconnect envelopes, availability budget, informational anomalies
/// and required promises the scenario used. Durations are milliseconds; SLOs are in their text form (<c>fault:p99=20000ms</c>).
/// </summary>
public static class CheckOptionsFile
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "check-options.json";

    public static string ToJson(CheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var retries = new JsonObject
        {
            ["baseDelayMs"] = options.Retries.BaseDelay?.TotalMilliseconds,
            ["multiplier"] = options.Retries.Multiplier,
            ["jitter"] = options.Retries.Jitter,
            ["maxDelayMs"] = options.Retries.MaxDelay?.TotalMilliseconds,
            ["lateToleranceMs"] = options.Retries.LateTolerance.TotalMilliseconds,
            ["maxAttempts"] = options.Retries.MaxAttempts,
            ["syncWindowMs"] = options.Retries.SyncWindow.TotalMilliseconds,
            ["syncThreshold"] = options.Retries.SyncThreshold,
        };
        var reconnects = new JsonObject
        {
            ["minDelayMs"] = options.Reconnects.MinDelay?.TotalMilliseconds,
            ["maxDelayMs"] = options.Reconnects.MaxDelay?.TotalMilliseconds,
            ["multiplier"] = options.Reconnects.Multiplier,
            ["lateToleranceMs"] = options.Reconnects.LateTolerance.TotalMilliseconds,
            ["jitter"] = options.Reconnects.Jitter,
            ["stormRun"] = options.Reconnects.StormRun,
        };
        var availability = new JsonObject
        {
            ["maxRefusedFraction"] = options.Availability.MaxRefusedFraction,
            ["minRefused"] = options.Availability.MinRefused,
        };
        var informational = new JsonObject();
        foreach (var (name, reason) in options.Informational.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            informational[name] = reason;
        }

        var root = new JsonObject
        {
            ["latencySlos"] = new JsonArray([.. options.LatencySlos.Select(s => (JsonNode?)JsonValue.Create(s.ToString()))]),
            ["retries"] = retries,
            ["reconnects"] = reconnects,
            ["availability"] = availability,
            ["informational"] = informational,
            ["requiredPromises"] = new JsonArray([.. options.RequiredPromises.Select(p => (JsonNode?)JsonValue.Create(p))]),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Parses what <see cref="ToJson"/> wrote; a missing member takes its default (for
    /// <c>requiredPromises</c>: the delivery promises).</summary>
    /// <exception cref="FormatException">Not such a file; the message names the member that is wrong.</exception>
    public static CheckOptions Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}", e);
        }

        if (root is not JsonObject obj)
        {
            throw new FormatException("expected a JSON object with latencySlos, retries, informational and requiredPromises");
        }

        try
        {
            var slos = (obj["latencySlos"] as JsonArray ?? []).Select((n, i) =>
                LatencyThreshold.Parse(n?.GetValue<string>() ?? throw new FormatException($"latencySlos[{i}] is null"))).ToList();
            var informational = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, reason) in obj["informational"] as JsonObject ?? [])
            {
                informational[name] = reason?.GetValue<string>() is { Length: > 0 } text ? text : throw new FormatException($"informational.{name}: a reason is required");
            }

            var required = obj["requiredPromises"] switch
            {
                null => PromiseNames.Delivery,
                JsonArray names => [.. names.Select((n, i) => n is JsonValue v && v.TryGetValue(out string? name) && PromiseNames.IsKnown(name)
                    ? name
                    : throw new FormatException($"requiredPromises[{i}]: {n?.ToJsonString() ?? "null"} is not a promise (known: {string.Join(", ", PromiseNames.All)})"))],
                var other => throw new FormatException($"requiredPromises must be an array of promise names, got {other.ToJsonString()}"),
            };
            var defaults = new RetryEnvelope();
            var r = obj["retries"] as JsonObject ?? [];
            var retries = new RetryEnvelope
            {
                BaseDelay = Number(r, "baseDelayMs") is { } baseMs ? TimeSpan.FromMilliseconds(baseMs) : null,
                Multiplier = Number(r, "multiplier") ?? defaults.Multiplier,
                Jitter = Number(r, "jitter") ?? defaults.Jitter,
                MaxDelay = Number(r, "maxDelayMs") is { } maxMs ? TimeSpan.FromMilliseconds(maxMs) : null,
                LateTolerance = Number(r, "lateToleranceMs") is { } lateMs ? TimeSpan.FromMilliseconds(lateMs) : defaults.LateTolerance,
                MaxAttempts = Number(r, "maxAttempts") is { } max ? checked((int)max) : null,
                SyncWindow = Number(r, "syncWindowMs") is { } windowMs ? TimeSpan.FromMilliseconds(windowMs) : defaults.SyncWindow,
                SyncThreshold = Number(r, "syncThreshold") is { } threshold ? checked((int)threshold) : defaults.SyncThreshold,
            };
            retries.Validate();
            var reconnectDefaults = new ReconnectEnvelope();
            var c = obj["reconnects"] as JsonObject ?? [];
            var reconnects = new ReconnectEnvelope
            {
                MinDelay = Number(c, "minDelayMs", "reconnects") is { } minMs ? TimeSpan.FromMilliseconds(minMs) : null,
                MaxDelay = Number(c, "maxDelayMs", "reconnects") is { } maxDelayMs ? TimeSpan.FromMilliseconds(maxDelayMs) : null,
                Multiplier = Number(c, "multiplier", "reconnects") ?? reconnectDefaults.Multiplier,
                LateTolerance = Number(c, "lateToleranceMs", "reconnects") is { } reconnectLateMs ? TimeSpan.FromMilliseconds(reconnectLateMs) : reconnectDefaults.LateTolerance,
                Jitter = Number(c, "jitter", "reconnects") ?? reconnectDefaults.Jitter,
                StormRun = Number(c, "stormRun", "reconnects") is { } run ? checked((int)run) : reconnectDefaults.StormRun,
            };
            reconnects.Validate();
            var availabilityDefaults = new AvailabilityBudget();
            var a = obj["availability"] as JsonObject ?? [];
            var availability = new AvailabilityBudget
            {
                MaxRefusedFraction = Number(a, "maxRefusedFraction", "availability") ?? availabilityDefaults.MaxRefusedFraction,
                MinRefused = Number(a, "minRefused", "availability") is { } least ? checked((int)least) : availabilityDefaults.MinRefused,
            };
            availability.Validate();
            return new CheckOptions
            {
                LatencySlos = slos, Informational = informational, Retries = retries, Reconnects = reconnects, Availability = availability, RequiredPromises = required,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or OverflowException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static double? Number(JsonObject obj, string name, string section = "retries") => obj[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) && double.IsFinite(d) => d,
        var other => throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{section}.{name} must be a number, got {other.ToJsonString()}")),
    };
}
