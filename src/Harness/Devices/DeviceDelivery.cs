namespace Chaos.Harness.Devices;

/// <summary>A delivery handed to the app: the message id, the device's user and name, and the per-user sequence.</summary>
public sealed record DeviceDelivery(string Id, string User, string Device, long Seq);
