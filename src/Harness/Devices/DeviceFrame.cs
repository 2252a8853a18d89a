namespace Chaos.Harness.Devices;

/// <summary>One transport frame as it arrived, with what the client did with it.</summary>
public sealed record DeviceFrame(string Id, string User, string Device, long Seq, FrameDisposition Disposition);
