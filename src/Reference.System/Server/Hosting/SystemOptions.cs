using System.Collections;
using System.Globalization;
using Chaos.Reference.Faults;

namespace Chaos.Reference.Hosting;

/// <summary>
/// Every setting of one process, from the command line (<c>--name value</c>) or the environment
/// (<c>REFSYS_NAME</c>, upper case, dashes as underscores); the command line wins.
/// </summary>
internal sealed class SystemOptions
{
    public static readonly string[] Roles = ["api", "notifier", "gateway", "jobs"];

    /// <summary>Settings that are secrets: refused on the command line, where <c>ps</c> shows them to every user.</summary>
    public static readonly string[] SecretNames = ["jwt-key", "admin-key"];

    /// <summary>The shortest JWT or admin key accepted.</summary>
    public const int MinimumSecretLength = 16;

    public required string Role { get; init; }

    public required string Instance { get; init; }

    public string Urls { get; init; } = "http://127.0.0.1:0";

    public required string Kafka { get; init; }

    public required string Db { get; init; }

    /// <summary>The JWT signing secret (api and gateway only); never from the command line — docs/security.md.</summary>
    public string? JwtKey { get; init; }

    /// <summary>The admin key (every role): operator and service endpoints; never from the command line — docs/security.md.</summary>
    public required string AdminKey { get; init; }

    public string TopicPrefix { get; init; } = "";

    public int SessionTimeoutMs { get; init; } = 6000;

    public int ClientTimeoutMs { get; init; } = 10000;

    /// <summary>
    /// Gateway: live deliveries one device's pump queues while it is busy pushing; past it the pump stops queueing and
    /// reads what it missed from the durable inbox when it catches up (docs/reference-system.md, "Slow readers").
    /// </summary>
    public int GatewayBacklog { get; init; } = 1024;

    /// <summary>Gateway: a push to a device not written within this long closes its connection; the device resumes.</summary>
    public int GatewaySendTimeoutMs { get; init; } = 10000;

    public int Seed { get; init; }

    public int RelayLeaseMs { get; init; } = 3000;

    public int JobRetries { get; init; } = 5;

    public int JobRetryBaseMs { get; init; } = 100;

    public int BatchSize { get; init; } = 100;

    /// <summary>How long the notifier waits to fill a batch once it has a first record (0 = take what is already fetched).</summary>
    public int BatchLingerMs { get; init; }

    /// <summary>api: how many writes may wait for the group-commit writer; one more is answered 429 (docs/reference-system.md).</summary>
    public int WriteQueue { get; init; } = 2000;

    /// <summary>api: recipient rows per second this instance accepts, with a burst of one second's worth; 0 turns the limit off.</summary>
    public int FanoutRateLimit { get; init; } = 1200;

    public IReadOnlySet<string> Defects { get; init; } = new HashSet<string>();

    public IReadOnlyList<string> Failpoints { get; init; } = [];

    public double DownstreamFailureRate { get; init; }

    public int DownstreamLatencyMs { get; init; }

    /// <summary>jobs: the outside provider to call once per attempt (<c>--downstream URL</c>); null uses the in-process simulation.</summary>
    public Uri? Downstream { get; init; }

    /// <summary>A directory to write this process's failure-path counts to (docs/failure-paths.md); null writes none.</summary>
    public string? FailurePaths { get; init; }

    public Topics Topics => new(TopicPrefix);

    public bool Has(string defect) => Defects.Contains(defect);

    /// <summary>The roles that issue or check user tokens, and so hold the JWT key.</summary>
    public static bool UsesJwt(string role) => role is "api" or "gateway";

    /// <summary>Parses; returns null and a message naming the bad setting on error.</summary>
    public static SystemOptions? FromArgs(string[] args, IDictionary environment, out string error)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in environment)
        {
            var key = (string)entry.Key;
            if (key.StartsWith("REFSYS_", StringComparison.Ordinal) && entry.Value is string v)
            {
                var name = key["REFSYS_".Length..].ToLowerInvariant().Replace('_', '-');
                // a secret is taken whole: a key may contain a comma
                values[name] = SecretNames.Contains(name)
                    ? [v]
                    : [.. v.Split(name is "failpoint" or "failpoints" ? ';' : ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            }
        }

        var fromCommandLine = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{args[i]}'";
                return null;
            }

            var name = args[i][2..];
            string value;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                error = $"--{name} needs a value";
                return null;
            }

            if (fromCommandLine.Add(name) || !values.ContainsKey(name))
            {
                values[name] = [];
            }

            values[name].Add(value);
        }

        error = "";

        // A secret comes from the environment (REFSYS_<NAME>) or from a file only its owner can read (--<name>-file).
        string? Secret(string name, out string problem)
        {
            problem = "";
            string? value;
            if (One(name + "-file") is { } path)
            {
                if (!SecretFile.TryRead(path, out value, out var fileProblem))
                {
                    problem = $"--{name}-file: {fileProblem}";
                    return null;
                }
            }
            else
            {
                value = One(name);
            }

            if (value is not null && value.Length < MinimumSecretLength)
            {
                problem = $"the {name} is {value.Length} characters; at least {MinimumSecretLength} are required (the harness uses 256 random bits)";
                return null;
            }

            return value;
        }

        string? One(string name) => values.TryGetValue(name, out var list) && list.Count > 0 ? list[^1] : null;
        IEnumerable<string> Many(string name) =>
            values.TryGetValue(name, out var list) ? list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : [];

        var role = One("role");
        if (role is null || !Roles.Contains(role))
        {
            error = $"--role must be one of {string.Join('|', Roles)} (got '{role}')";
            return null;
        }

        var missing = new[] { "kafka", "db" }.FirstOrDefault(n => One(n) is null);
        if (missing is not null)
        {
            error = $"--{missing} is required (or REFSYS_{missing.ToUpperInvariant().Replace('-', '_')})";
            return null;
        }

        var secret = SecretNames.FirstOrDefault(fromCommandLine.Contains);
        if (secret is not null)
        {
            error = $"--{secret} on the command line is visible to every user of the machine (ps); set REFSYS_{secret.ToUpperInvariant().Replace('-', '_')} or --{secret}-file";
            return null;
        }

        var jwtKey = Secret("jwt-key", out error);
        var adminKey = error.Length == 0 ? Secret("admin-key", out error) : null;
        if (error.Length > 0)
        {
            return null;
        }

        if (adminKey is null || (jwtKey is null && UsesJwt(role)))
        {
            var name = adminKey is null ? "admin-key" : "jwt-key";
            error = $"REFSYS_{name.ToUpperInvariant().Replace('-', '_')} (or --{name}-file) is required for role {role}";
            return null;
        }

        var defects = Many("defect").Concat(Many("defects")).ToHashSet(StringComparer.Ordinal);
        var unknown = defects.FirstOrDefault(d => !DefectNames.All.Contains(d));
        if (unknown is not null)
        {
            error = $"unknown defect '{unknown}'; known: {string.Join(", ", DefectNames.All)}";
            return null;
        }

        var failpoints = (values.GetValueOrDefault("failpoint") ?? []).Concat(values.GetValueOrDefault("failpoints") ?? [])
            .SelectMany(v => v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var spec in failpoints)
        {
            if (!FailpointSpec.TryParse(spec, out _, out var fpError))
            {
                error = $"--failpoint '{spec}': {fpError}";
                return null;
            }
        }

        Uri? downstream = null;
        if (One("downstream") is { } downstreamText
            && (!Uri.TryCreate(downstreamText, UriKind.Absolute, out downstream) || downstream.Scheme is not ("http" or "https")))
        {
            error = $"--downstream must be an absolute http(s) URL (got '{downstreamText}')";
            return null;
        }

        try
        {
            // a value that is no whole number, or past Int32 (an overflow used to escape as an unhandled exception), names its option
            int Int(string name, int fallback) => One(name) is not { } s
                ? fallback
                : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new FormatException($"--{name} must be a whole number within {int.MinValue}..{int.MaxValue} (got '{s}')");
            var writeQueue = Int("write-queue", 2000);
            var fanoutRateLimit = Int("fanout-rate-limit", 1200);
            if (writeQueue < 1)
            {
                error = $"--write-queue must be at least 1 (got {writeQueue})";
                return null;
            }

            var gatewayBacklog = Int("gateway-backlog", 1024);
            var gatewaySendTimeout = Int("gateway-send-timeout-ms", 10000);
            if (gatewayBacklog < 1)
            {
                error = $"--gateway-backlog must be at least 1 (got {gatewayBacklog})";
                return null;
            }

            if (gatewaySendTimeout < 1)
            {
                error = $"--gateway-send-timeout-ms must be at least 1 (got {gatewaySendTimeout})";
                return null;
            }

            if (fanoutRateLimit < 0)
            {
                error = $"--fanout-rate-limit must be 0 (off) or a number of recipient rows per second (got {fanoutRateLimit})";
                return null;
            }

            return new SystemOptions
            {
                Role = role,
                Instance = One("instance") ?? $"{role}-{Environment.ProcessId}",
                Urls = One("urls") ?? "http://127.0.0.1:0",
                Kafka = One("kafka")!,
                Db = One("db")!,
                JwtKey = UsesJwt(role) ? jwtKey : null,
                AdminKey = adminKey,
                TopicPrefix = One("topic-prefix") ?? "",
                SessionTimeoutMs = Int("session-timeout-ms", 6000),
                ClientTimeoutMs = Int("client-timeout-ms", 10000),
                GatewayBacklog = gatewayBacklog,
                GatewaySendTimeoutMs = gatewaySendTimeout,
                Seed = Int("seed", 0),
                RelayLeaseMs = Int("relay-lease-ms", 3000),
                JobRetries = Int("job-retries", 5),
                JobRetryBaseMs = Int("job-retry-base-ms", 100),
                BatchSize = Int("batch-size", 100),
                BatchLingerMs = Int("batch-linger-ms", 0),
                DownstreamFailureRate = One("downstream-failure-rate") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : 0,
                DownstreamLatencyMs = Int("downstream-latency-ms", 0),
                Downstream = downstream,
                WriteQueue = writeQueue,
                FanoutRateLimit = fanoutRateLimit,
                Defects = defects,
                Failpoints = failpoints,
                FailurePaths = One("failure-paths"),
            };
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }
}
