namespace Chaos.Reference.Client;

/// <summary>One raw Deliver frame as it arrived, with what the client did with it.</summary>
public sealed record TransportFrame(string Id, string User, string Device, long Seq, FrameDisposition Disposition, DateTimeOffset ReceivedAt);
