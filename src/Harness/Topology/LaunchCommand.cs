namespace Chaos.Harness.Topology;

/// <summary>An executable and the arguments that come before the caller's, e.g. <c>dotnet /x/chaos.dll</c>.</summary>
/// <param name="FileName">The executable (a path, or a name on PATH).</param>
/// <param name="Arguments">Leading arguments (e.g. the .dll path).</param>
public sealed record LaunchCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <inheritdoc/>
    public override string ToString() => string.Join(' ', [FileName, .. Arguments]);
}
