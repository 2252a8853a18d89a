namespace Chaos.Harness.Checkers;

/// <summary>Per-device state keyed user → device with plain string keys: string-keyed dictionaries hash faster than
/// tuple keys, which matters on a million-event history.</summary>
internal sealed class DeviceMap<T>(Func<DeviceKey, T> create)
{
    private readonly Dictionary<string, Dictionary<string, T>> _byUser = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public IEnumerable<T> All => _byUser.Values.SelectMany(d => d.Values);

    public T Get(string user, string device)
    {
        if (!_byUser.TryGetValue(user, out var devices))
        {
            _byUser[user] = devices = new Dictionary<string, T>(StringComparer.Ordinal);
        }

        if (!devices.TryGetValue(device, out var state))
        {
            devices[device] = state = create(new DeviceKey(user, device));
            Count++;
        }

        return state;
    }

    public IEnumerable<T> OfUser(string user) =>
        _byUser.TryGetValue(user, out var devices) ? devices.Values : [];
}
