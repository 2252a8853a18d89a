using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.History;
using Chaos.Harness.Tests.Checkers;
using Chaos.Harness.Tests.Faults.Network;
using CsCheck;

namespace Chaos.Harness.Tests.Fuzz;

/// <summary>
/// Every reader of input the harness did not write, fed thousands of mutated documents (CsCheck, a fixed seed, so
/// CI sees the same cases every run): schedule and incident files in YAML and JSON, history lines, durations and
/// the fault proxy's API bodies. Each case must end as a value or as the reader's own input error naming what is
/// wrong — never another exception (which is a crash and a wrong exit code in <c>chaos</c>), never a 500 — and the
/// whole sample must finish in bounded time. The mutations splice in the tokens that broke the readers before
/// (docs/schedules.md, "Incident files"; docs/history.md): lone surrogates, huge numbers, aliases, deep nesting.
/// <c>CHAOS_FUZZ_SEED</c> (a seed CsCheck printed, or <c>random</c>) and <c>CHAOS_FUZZ_ITER</c> rerun or widen a sample.
/// </summary>
public sealed class InputFuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    private static readonly string[] Tokens =
    [
        "\\ud800", "\\udfff", "\\u0000", "\uD800", "\u0000", "\uFEFF", "\u00e9", "\\", "\"", "'", ",", ":", ": ", "- ", "\n", "\r\n", "\t", " ",
        "#", "[", "]", "{", "}", "&a ", "*a", "<<: *a", "!!binary ", "!tag ", "? ", "|", ">", "~", "---\n", "...\n", "%YAML 1.2\n",
        "null", "true", "-1", "0", "1.5", "1e309", "-1e309", "NaN", "0x10", "99999999999999999999999999", "9223372036854775808",
        "-9223372036854775809", "1h", "1s1m", "99999999999999999999999999h", "2562048h", "300000000h", "0.0000001us",
        "at: ", "fault: ", "target: ", "duration: ", "parameters: ", "faults: ", "\"faults\": ", "\"at\": ", "\"index\": ",
        "\"time\": ", "\"value\": ", "\"seq\": ", "\"to\": ", "\"type\": \"ok\"", "\"f\": \"deliver\"", "\"f\": \"sync\"",
    ];

    private const string Yaml = """
        name: fuzz
        duration: 1m
        faults:
          - at: 10s
            fault: process-kill
            target: api-1
          - at: 20s
            fault: network-latency
            target: gateway-1
            duration: 1.5s
            parameters: { latency: 500ms }
        """;

    private const string Json = """
        {"format": "chaos-fault-schedule", "version": 1, "duration": "1m", "faults": [
          {"at": "10s", "fault": "process-kill", "target": "api-1"},
          {"at": "20s", "fault": "network-latency", "target": "gateway-1", "duration": "1.5s", "parameters": {"latency": "500ms"}}
        ]}
        """;

    private static readonly FaultCatalogue Catalogue = new(new Dictionary<string, IEnumerable<string>>
    {
        ["process-kill"] = ["api-1", "api-2"],
        ["network-latency"] = ["gateway-1"],
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // "random" lets CsCheck pick (a nightly or a hunt); a failure prints the seed that reproduces it
    private static string? Seed => Environment.GetEnvironmentVariable("CHAOS_FUZZ_SEED") switch
    {
        "random" => null,
        { Length: > 0 } seed => seed,
        _ => new PCG(1, 20261203).ToString(),
    };

    private static int Iterations(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("CHAOS_FUZZ_ITER"), out var n) && n > 0 ? n : fallback;

    [Fact]
    public async Task ScheduleFiles_MutatedYamlAndJson_AreReadOrRefusedWithAFileError()
    {
        void Property(string text, ScheduleFileFormat format)
        {
            try
            {
                var schedule = FaultScheduleFile.Parse(text, format, Catalogue, "fuzz");
                schedule.Entries.Should().OnlyContain(e => Catalogue.IsKnownFault(e.Fault));
            }
            catch (ScheduleFileException e)
            {
                e.Errors.Should().NotBeEmpty().And.OnlyContain(error => error.Source == "fuzz" && error.Message.Length > 0);
                e.Message.Should().Contain("fuzz:").And.NotContain("   at ", "each problem is named, no stack trace");
            }
        }

        await SampleAsync(Mutated(Yaml), text => Property(text, ScheduleFileFormat.Yaml), Iterations(3000));
        await SampleAsync(Mutated(Json), text => Property(text, ScheduleFileFormat.Json), Iterations(3000));
    }

    [Fact]
    public async Task SystemFiles_Mutated_AreReadOrRefusedWithAFileError()
    {
        const string system = """
            system: reference
            kafka:
              bootstrap: 127.0.0.1:9092,127.0.0.1:9093
            storage: sqlite
            topology: processes
            allowRemote: false
            """;

        void Property(string text)
        {
            try
            {
                var description = SystemFile.Parse(text, "fuzz", allowRemote: false);
                description.System.Should().Be(SystemDescription.ReferenceSystem);
                description.KafkaBootstrap?.Split(',').Should().OnlyContain(host => host.Length > 0);
            }
            catch (SystemFileException e)
            {
                e.Errors.Should().NotBeEmpty().And.OnlyContain(error => error.Source == "fuzz" && error.Message.Length > 0);
                e.Message.Should().Contain("fuzz:").And.NotContain("   at ", "each problem is named, no stack trace");
            }
        }

        await SampleAsync(Mutated(system), Property, Iterations(2000));
    }

    [Fact]
    public async Task SystemFiles_WithNodes_Mutated_AreReadOrRefusedWithAFileError()
    {
        const string system = """
            system: mine
            topics: [{name: fanout, partitions: 6}]
            groups: [{role: worker, group: workers, topic: fanout}]
            nodes:
              - role: web
                command: dotnet
                args: ["{dir}/web.dll", --urls, "http://127.0.0.1:{port}", --kafka, "{kafka}"]
                env: {KEY: "{secret:admin}"}
                ready: /ready
                instances: 2
              - {role: worker, command: ./worker, args: [--port, "{port}"], ready: /ready}
            client:
              api: web
              devices: web
              adminKey: "{secret:admin}"
              paths: {inbox: "/users/{user}/inbox"}
              methods: {deliver: Deliver}
            """;

        void Property(string text)
        {
            try
            {
                var description = SystemFile.Parse(text, "fuzz", allowRemote: false);
                if (description.Declared is { } declared)
                {
                    declared.Nodes.Should().NotBeEmpty().And.OnlyContain(n => n.Ready.StartsWith('/') && n.Instances >= 1);
                    declared.Nodes.Select(n => n.Role).Should().Contain([declared.Client.Api, declared.Client.Devices]);
                    declared.Groups.Should().OnlyContain(g => declared.Nodes.Any(n => n.Role == g.Role) && declared.Topics.Any(t => t.Name == g.Topic));
                }
            }
            catch (SystemFileException e)
            {
                e.Errors.Should().NotBeEmpty().And.OnlyContain(error => error.Source == "fuzz" && error.Message.Length > 0);
                e.Message.Should().Contain("fuzz:").And.NotContain("   at ", "each problem is named, no stack trace");
            }
        }

        await SampleAsync(Mutated(system), Property, Iterations(2000));
    }

    [Fact]
    public async Task Histories_MutatedLines_AreReadOrRefusedByLine_AndTheCheckersNeverThrow()
    {
        var text = BaseHistory();

        void Property(string mutated)
        {
            var bytes = Encoding.UTF8.GetBytes(mutated);
            try
            {
                ReadAll(bytes, HistoryReadMode.Strict);
            }
            catch (HistoryFormatException e)
            {
                e.LineNumber.Should().BePositive();
                e.Message.Should().StartWith($"line {e.LineNumber}: ");
            }

            // lenient skips what it cannot read, and the checkers decide on whatever remains — without throwing
            var events = ReadAll(bytes, HistoryReadMode.Lenient);
            var result = StandardChecks.Check(events);
            result.Verdict.Should().BeOneOf(Verdict.Valid, Verdict.Invalid, Verdict.Unknown);
        }

        await SampleAsync(Mutated(text), Property, Iterations(2000));
    }

    [Fact]
    public async Task Durations_AnyText_ParseOrFailWithAReason()
    {
        var gen = Gen.Select(Gen.Int[0, Tokens.Length - 1], Gen.Int[0, 99_999]).Array[1, 4]
            .Select(parts => string.Concat(parts.Select(p => p.Item1 % 2 == 0 ? Tokens[p.Item1] : p.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture) + "smhu"[p.Item2 % 4])));

        await SampleAsync(gen, text =>
        {
            if (DurationText.TryParse(text, out var value, out var error))
            {
                value.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
            }
            else
            {
                error.Should().NotBeNullOrWhiteSpace();
            }
        }, Iterations(5000));
    }

    [Fact]
    public async Task ProxyApi_MutatedBodies_AnswerAJsonErrorOrSuccess_NeverA500()
    {
        await using var proxy = await ProxyTestContext.StartAsync();
        using var http = new HttpClient { BaseAddress = proxy.Server.ApiAddress, Timeout = TimeSpan.FromSeconds(10) };
        await proxy.CreateProxyAsync("db", "127.0.0.1:9");
        (string Path, string Body)[] bases =
        [
            ("proxies", """{"name":"p","listen":"127.0.0.1:0","upstream":"127.0.0.1:9","enabled":true}"""),
            ("populate", """[{"name":"q","listen":"127.0.0.1:0","upstream":"127.0.0.1:9"}]"""),
            ("proxies/db", """{"enabled":false,"upstream":"127.0.0.1:9"}"""),
            ("proxies/db/toxics", """{"type":"latency","stream":"downstream","toxicity":1.0,"attributes":{"latency":100,"jitter":5}}"""),
            ("proxies/db/toxics", """{"type":"reset_peer","attributes":{"timeout":10}}"""),
        ];

        var gen = Gen.Int[0, bases.Length - 1].SelectMany(i => Mutated(bases[i].Body).Select(body => (bases[i].Path, body)));

        await SampleAsync(gen, request =>
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, request.Path) { Content = new StringContent(request.body, Encoding.UTF8, "application/json") };
            using var response = http.Send(message, Ct);
            var body = response.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult();
            ((int)response.StatusCode).Should().BeLessThan(500, $"POST /{request.Path} {request.body} answered {body}");
            if (!response.IsSuccessStatusCode)
            {
                JsonNode.Parse(body)!["error"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
            }
            else if (response.StatusCode == HttpStatusCode.Created || request.Path == "populate")
            {
                // leave only "db": what a case created is removed, so the next case starts from the same state
                using var reset = http.Send(new HttpRequestMessage(HttpMethod.Get, "proxies"), Ct);
                var names = JsonNode.Parse(reset.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult())!.AsObject().Select(p => p.Key).Where(n => n != "db").ToList();
                foreach (var name in names)
                {
                    using var delete = http.Send(new HttpRequestMessage(HttpMethod.Delete, "proxies/" + Uri.EscapeDataString(name)), Ct);
                }
            }

            using var toxics = http.Send(new HttpRequestMessage(HttpMethod.Post, "reset"), Ct);
        }, Iterations(600), threads: 1);
    }

    /// <summary>A text with 1–6 mutations: a token inserted (or repeated up to 2,000 times), a span deleted or doubled, a byte changed.</summary>
    private static Gen<string> Mutated(string text) =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 5], Gen.Int[0, Tokens.Length - 1], Gen.Int[1, 40]).Array[1, 6]
            .Select(mutations =>
            {
                var s = new StringBuilder(text);
                foreach (var (where, kind, token, count) in mutations)
                {
                    var at = where % (s.Length + 1);
                    var length = Math.Min(count, s.Length - at);
                    switch (kind)
                    {
                        case 0 or 1:
                            s.Insert(at, Tokens[token]);
                            break;
                        case 2:
                            s.Remove(at, length);
                            break;
                        case 3:
                            s.Insert(at, s.ToString(at, length));
                            break;
                        case 4:
                            s.Insert(at, string.Concat(Enumerable.Repeat(Tokens[token], count * 50)));
                            break;
                        default:
                            if (at < s.Length)
                            {
                                s[at] = (char)(32 + (where % 95));
                            }

                            break;
                    }
                }

                return s.ToString();
            });

    private static Task SampleAsync<T>(Gen<T> gen, Action<T> property, int iterations, int threads = -1) =>
        Task.Run(() => gen.Sample(property, seed: Seed, iter: iterations, threads: threads), Ct).WaitAsync(Budget, Ct);

    private static List<HistoryEvent> ReadAll(byte[] bytes, HistoryReadMode mode)
    {
        return Read().GetAwaiter().GetResult();

        async Task<List<HistoryEvent>> Read()
        {
            await using var reader = new HistoryReader(new MemoryStream(bytes), mode, ownsStream: true);
            var events = new List<HistoryEvent>();
            await foreach (var e in reader.ReadAsync(CancellationToken.None))
            {
                events.Add(e);
            }

            return events;
        }
    }

    /// <summary>A small history touching every op the checkers read: sends, deliveries, syncs, a fault, jobs.</summary>
    private static string BaseHistory()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u2", "d1");
        h.Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Fault("kill", HistoryOps.Fault, 10);
        h.Send("s2", "m2", "u2", 1);
        h.Deliver("u2", "d1", "m2", 1);
        h.Fault("kill", HistoryOps.Heal, 20);
        h.Submit("j1", HistoryEventType.Invoke, "j1", "t1", "a1", 5m);
        h.Submit("j1", HistoryEventType.Ok, "j1", "t1", "a1", 5m);
        h.Attempt("j1", 1, 30);
        h.JobState("j1", "succeeded");
        h.Balance("a1", 5m);
        h.Sync("u1", "d1", ("m1", 1));
        h.Sync("u2", "d1", ("m2", 1));

        var text = new StringBuilder();
        foreach (var e in h.Events)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("index", e.Index);
                json.WriteNumber("time", e.Time);
                json.WriteString("process", e.Process);
                json.WriteString("type", e.Type.ToString().ToLowerInvariant());
                json.WriteString("f", e.F);
                json.WritePropertyName("value");
                e.Value.WriteTo(json);
                json.WriteEndObject();
            }

            text.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
        }

        return text.ToString();
    }
}
