namespace Chaos.Reference.Faults;

internal enum FailpointAction
{
    Crash,
    Delay,
    Throw,
}
