namespace Chaos.Harness.Kafka;

/// <summary>One injected answer of a mock broker: the error to return (or <see cref="KafkaErrorCode.NoError"/>) after a delay.</summary>
/// <param name="Error">The error code the request fails with.</param>
/// <param name="RttMs">How long the broker holds the answer, in milliseconds.</param>
public readonly record struct MockRequestError(KafkaErrorCode Error, int RttMs = 0);
