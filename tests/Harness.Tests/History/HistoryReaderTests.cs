using System.Text;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.History;

public sealed class HistoryReaderTests
{
    private const string Send = """{"index":0,"time":10,"process":"s1","type":"invoke","f":"send","value":{"id":"m1","to":["u1"]}}""";
    private const string Ok = """{"index":1,"time":20,"process":"s1","type":"ok","f":"send","value":{"id":"m1","to":["u1"],"seq":{"u1":1}}}""";

    private static async Task<(List<HistoryEvent> Events, HistoryReader Reader)> ReadAsync(string text, HistoryReadMode mode = HistoryReadMode.Strict)
    {
        var reader = new HistoryReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), mode, ownsStream: true);
        var events = new List<HistoryEvent>();
        await foreach (var e in reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            events.Add(e);
        }

        return (events, reader);
    }

    [Fact]
    public async Task ReadAsync_WellFormedLines_DecodesKnownOps()
    {
        var (events, _) = await ReadAsync(Send + "\n" + Ok + "\n");

        events.Should().HaveCount(2);
        events[0].Type.Should().Be(HistoryEventType.Invoke);
        events[0].Time.Should().Be(10);
        events[0].AsSend()!.To.Should().Equal("u1");
        events[1].AsSend()!.Seq!["u1"].Should().Be(1);
    }

    [Fact]
    public async Task ReadAsync_UnknownFieldsAndOps_AreKeptAndIgnored()
    {
        var line = """{"index":0,"time":1,"process":"p","type":"ok","f":"presence","value":{"user":"u1","online":true},"node":"n1"}""";
        var deliver = """{"index":1,"time":2,"process":"u1/d1","type":"ok","f":"deliver","value":{"id":"m1","user":"u1","device":"d1","seq":1,"via":"ws"}}""";

        var (events, _) = await ReadAsync(line + "\n" + deliver);

        events[0].F.Should().Be("presence");
        events[0].Op.Should().BeNull();
        events[0].Value.GetProperty("online").GetBoolean().Should().BeTrue();
        events[1].AsDeliver()!.Seq.Should().Be(1);
        events[1].Value.GetProperty("via").GetString().Should().Be("ws", "unknown fields stay in the raw value");
    }

    [Fact]
    public async Task ReadAsync_BlankLinesCrLfAndNoFinalNewline_AreAccepted()
    {
        var (events, _) = await ReadAsync(Send + "\r\n\r\n   \n" + Ok);

        events.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("{not json", "invalid JSON")]
    [InlineData("""{"index":1,"time":2,"process":"p","type":"ok"}""", "missing 'f'")]
    [InlineData("""{"index":1,"time":2,"process":"p","type":"done","f":"send","value":{}}""", "'type' must be invoke, ok, fail or info")]
    [InlineData("""{"index":1,"time":"x","process":"p","type":"ok","f":"x"}""", "'time' must be an integer")]
    [InlineData("""{"index":1,"time":2,"process":"p","type":"ok","f":"deliver","value":{"id":"m1","user":"u1","seq":1}}""", "'deliver' value lacks 'device'")]
    [InlineData("""{"index":1,"time":2,"process":"p","type":"ok","f":"deliver","value":{"id":"m1","user":"u1","device":"d","seq":"1"}}""", "'seq' must be an integer")]
    [InlineData("""{"index":1,"time":2,"process":"p","type":"ok","f":"x","value":[1]}""", "'value' must be a JSON object")]
    [InlineData("""{"index":0,"time":2,"process":"p","type":"ok","f":"x"}""", "index 0 does not follow index 0")]
    [InlineData("""{"index":1,"time":2,"process":"p","type":"ok","f":"x"} {}""", "invalid JSON at byte 55")]
    [InlineData("""{"index":1,"time":2,"process":"\ud800","type":"ok","f":"x"}""", "invalid string or value")]
    public async Task ReadAsync_StrictMalformedLine_ThrowsNamingLineAndProblem(string bad, string problem)
    {
        var text = Send + "\n\n" + bad + "\n" + Ok;

        var act = () => ReadAsync(text);

        var error = (await act.Should().ThrowAsync<HistoryFormatException>()).Which;
        error.LineNumber.Should().Be(3, "blank lines count as lines");
        error.Problem.Should().Contain(problem);
        error.Message.Should().StartWith("line 3: ");
    }

    [Fact]
    public async Task ReadAsync_DeadLetters_RoundTripsWhatTheDrainWrote()
    {
        var written = new DeadLettersValue("jobs-dlq", [new DeadLetterRecord("j1", "payment refused"), new DeadLetterRecord("j2", null)]);
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            written.WriteTo(json);
        }

        var line = """{"index":0,"time":1,"process":"drain","type":"ok","f":"dead-letters","value":""" + Encoding.UTF8.GetString(buffer.ToArray()) + "}";

        var (events, _) = await ReadAsync(line);

        var read = events.Single().Op.Should().BeOfType<DeadLettersValue>().Which;
        read.Topic.Should().Be("jobs-dlq");
        read.Records.Should().Equal(written.Records);
    }

    [Theory]
    [InlineData("""{"topic":"jobs-dlq","records":[{"reason":"r"}]}""", "'dead-letters' value lacks 'records[].id'")]
    [InlineData("""{"records":[]}""", "'dead-letters' value lacks 'topic'")]
    [InlineData("""{"topic":"jobs-dlq","records":["j1"]}""", "'records' must be an array of")]
    public async Task ReadAsync_MalformedDeadLetters_ThrowsNamingTheField(string value, string problem)
    {
        var line = """{"index":0,"time":1,"process":"drain","type":"ok","f":"dead-letters","value":""" + value + "}";

        var act = () => ReadAsync(line);

        (await act.Should().ThrowAsync<HistoryFormatException>()).Which.Problem.Should().Contain(problem);
    }

    [Fact]
    public async Task ReadAsync_Call_RoundTripsTheProvidersAnswerStatusAndHold()
    {
        var written = new CallValue("c7", "j1", CallValue.Fail, 2, "t1", "jobs-1", 504, HeldMs: 8_000);
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            written.WriteTo(json);
        }

        var line = """{"index":0,"time":1,"process":"downstream","type":"ok","f":"call","value":""" + Encoding.UTF8.GetString(buffer.ToArray()) + "}";

        var (events, _) = await ReadAsync(line);

        events.Single().Op.Should().Be(written);
    }

    [Theory]
    [InlineData("""{"id":"c1","job":"j1","outcome":"fail","status":99}""", "'status' must be an HTTP status (100-599), was 99")]
    [InlineData("""{"id":"c1","job":"j1","outcome":"fail","status":600}""", "'status' must be an HTTP status (100-599), was 600")]
    [InlineData("""{"id":"c1","job":"j1","outcome":"fail","status":"503"}""", "'status' must be an integer")]
    [InlineData("""{"id":"c1","job":"j1","outcome":"fail","heldMs":-1}""", "'heldMs' must not be negative, was -1")]
    public async Task ReadAsync_CallWithABadStatusOrHold_ThrowsNamingTheField(string value, string problem)
    {
        var line = """{"index":0,"time":1,"process":"downstream","type":"ok","f":"call","value":""" + value + "}";

        var act = () => ReadAsync(line);

        (await act.Should().ThrowAsync<HistoryFormatException>()).Which.Problem.Should().Contain(problem);
    }

    [Fact]
    public async Task ReadAsync_LenientMalformedLines_SkipsAndCounts()
    {
        var text = Send + "\ngarbage\n" + """{"index":5}""" + "\n" + Ok + "\n";

        var (events, reader) = await ReadAsync(text, HistoryReadMode.Lenient);

        events.Should().HaveCount(2);
        reader.SkippedCount.Should().Be(2);
        reader.Skipped.Select(s => s.LineNumber).Should().Equal(2, 3);
    }

    [Theory]
    [InlineData(HistoryReadMode.Strict)]
    [InlineData(HistoryReadMode.Lenient)]
    public async Task ReadAsync_MalformedLineInALargeBatch_IsReportedByItsOwnLineNumber(HistoryReadMode mode)
    {
        // Big enough for the parallel batch parser; the bad line sits in the middle of a batch.
        var lines = Enumerable.Range(0, 3_000)
            .Select(i => $$$"""{"index":{{{i}}},"time":{{{i}}},"process":"u1/d1","type":"ok","f":"deliver","value":{"id":"m{{{i}}}","user":"u1","device":"d1","seq":{{{i + 1}}}}}""")
            .ToList();
        lines[1_700] = """{"index":1700,"time":1700,"process":"u1/d1","type":"ok","f":"deliver","value":{"id":"m1700"}}""";
        var text = string.Join('\n', lines);

        if (mode == HistoryReadMode.Strict)
        {
            var act = () => ReadAsync(text);
            (await act.Should().ThrowAsync<HistoryFormatException>()).Which.LineNumber.Should().Be(1_701);
        }
        else
        {
            var (events, reader) = await ReadAsync(text, mode);
            events.Should().HaveCount(2_999);
            events.Select(e => e.Index).Should().BeInAscendingOrder();
            reader.Skipped.Should().ContainSingle().Which.LineNumber.Should().Be(1_701);
        }
    }

    [Fact]
    public async Task ReadAsync_LineLongerThanTheBuffer_IsRead()
    {
        var items = string.Join(',', Enumerable.Range(1, 60_000).Select(i => $$"""{"id":"m{{i}}","seq":{{i}}}"""));
        var sync = """{"index":0,"time":1,"process":"u1/d1","type":"ok","f":"sync","value":{"user":"u1","device":"d1","items":[""" + items + "]}}";

        var (events, _) = await ReadAsync(sync + "\n");

        events.Single().AsSync()!.Items.Should().HaveCount(60_000);
    }

    [Fact]
    public async Task ReadAllAsync_UnreadableFile_Throws()
    {
        var act = () => HistoryReader.ReadAllAsync("/nonexistent/history.jsonl", HistoryReadMode.Strict, TestContext.Current.CancellationToken);

        await act.Should().ThrowAsync<IOException>();
    }
}
