namespace Chaos.Harness.Checkers;

/// <summary>The outcome of a send id over all its attempts: ok if any attempt was ok; otherwise info if any attempt
/// ended info or never ended; otherwise fail.</summary>
internal enum SendOutcome
{
    Ok,
    Info,
    Fail,
}
