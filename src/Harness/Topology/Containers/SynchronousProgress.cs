namespace Chaos.Harness.Topology.Containers;

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, in order (Progress&lt;T&gt; posts to the pool and may reorder).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
