using Chaos.Harness.Deployment;

namespace Chaos.Harness.Tests.Deployment;

/// <summary>
/// Loading a system's adapter from its assembly (a system file's <c>adapter:</c>): every way the file can be wrong is
/// an <see cref="ArgumentException"/> naming it. The loading of a real adapter is shown by the wschat sample's runs
/// (tests/Scenarios.Tests, SampleSystemTests).
/// </summary>
public sealed class AdapterAssemblyTests
{
    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chaos-no-adapter-{Guid.NewGuid():N}.dll");

        FluentActions.Invoking(() => AdapterAssembly.Load(path, "mine")).Should().Throw<ArgumentException>()
            .WithMessage($"adapter {path}: no such file*");
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chaos-not-an-assembly-{Guid.NewGuid():N}.dll");
        File.WriteAllText(path, "not a PE file");
        try
        {
            FluentActions.Invoking(() => AdapterAssembly.Load(path, "mine")).Should().Throw<ArgumentException>()
                .WithMessage($"adapter {path}: cannot load it as a .NET assembly*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_assembly_without_an_adapter_is_named()
    {
        // the harness itself: public types aplenty, no ISystemAdapter implementation
        var harness = typeof(ISystemAdapter).Assembly.Location;

        FluentActions.Invoking(() => AdapterAssembly.Load(harness, "mine")).Should().Throw<ArgumentException>()
            .WithMessage($"adapter {harness}: holds no public class implementing ISystemAdapter*");
    }
}
