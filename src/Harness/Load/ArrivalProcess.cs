namespace Chaos.Harness.Load;

/// <summary>How arrivals are placed under a profile's rate curve.</summary>
public enum ArrivalProcess
{
    /// <summary>Evenly spaced: the k-th arrival is where the cumulative rate reaches k. Ignores the seed.</summary>
    Uniform,

    /// <summary>A (non-homogeneous) Poisson process: exponential inter-arrivals drawn from the seed.</summary>
    Poisson,
}
