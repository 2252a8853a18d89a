namespace Chaos.Harness.Devices;

/// <summary>Where a device's app keeps the last sequence it processed, so it resumes there after a cut, a sleep or an app restart.</summary>
public interface IDevicePositionStore
{
    ValueTask<long> LoadAsync(string user, string device, CancellationToken cancellationToken);

    ValueTask SaveAsync(string user, string device, long sequence, CancellationToken cancellationToken);
}
