namespace Chaos.Harness.Checkers;

/// <summary>One device of one user: the unit the delivery promises are checked per.</summary>
internal readonly record struct DeviceKey(string User, string Device)
{
    public override string ToString() => User + "/" + Device;
}
