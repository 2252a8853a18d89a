namespace Chaos.Harness.Proxy.Toxics;

/// <summary>Bytes read from one side of a connection, stamped (TimeProvider timestamp) when they were read.</summary>
internal readonly record struct Chunk(ReadOnlyMemory<byte> Data, long Timestamp);
