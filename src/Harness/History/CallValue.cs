using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>
/// <c>f = "call"</c> (process <c>downstream</c>): one call the harness's downstream provider received from the system,
/// <c>{"id", "job", "attempt"?, "outcome", "status"?, "heldMs"?, "txn"?, "instance"?}</c>. <c>id</c> is the provider's own number for
/// the call; <c>job</c> and <c>attempt</c> are what the caller claimed (the attempt number is the system's statement, the
/// call itself is the harness's observation); <c>outcome</c> is what the provider answered: <c>ok</c>, <c>fail</c>
/// (a status the caller may retry — 500, 502, 503, 504, 429 or 408 — or the connection dropped without an answer) or
/// <c>refused</c> (a 422: declined for good, not to be retried); <c>status</c> the HTTP status it answered with.
/// <c>heldMs</c> how long the provider held the call before answering (an injected latency; absent when it answered at
/// once). The event's time is when the call arrived.
/// </summary>
public sealed record CallValue(string Id, string Job, string Outcome, int? Attempt = null, string? Txn = null, string? Instance = null, int? Status = null, long? HeldMs = null) : OperationValue
{
    /// <summary>The provider accepted the call.</summary>
    public const string Ok = "ok";

    /// <summary>The provider failed the call (an injected retriable status, or the connection dropped without an answer).</summary>
    public const string Fail = "fail";

    /// <summary>The provider refused the call for good (an injected 422): a caller must not retry it.</summary>
    public const string Refused = "refused";

    /// <summary>Whether the provider accepted the call.</summary>
    public bool Succeeded => Outcome == Ok;

    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("job", Job);
        if (Attempt is { } attempt)
        {
            writer.WriteNumber("attempt", attempt);
        }

        writer.WriteString("outcome", Outcome);
        if (Status is { } status)
        {
            writer.WriteNumber("status", status);
        }

        if (HeldMs is { } held)
        {
            writer.WriteNumber("heldMs", held);
        }

        if (Txn is not null)
        {
            writer.WriteString("txn", Txn);
        }

        if (Instance is not null)
        {
            writer.WriteString("instance", Instance);
        }

        writer.WriteEndObject();
    }
}
