using System.Xml.Linq;
using Chaos.Harness.Runs;
using Chaos.Harness.Tests.Topology;

namespace Chaos.Harness.Tests;

/// <summary>
/// The harness is a platform for any system (docs/architecture.md, "The device seam"): it depends on no part of the
/// reference system, which reaches it only through its adapter (src/Reference.System/Adapter).
/// </summary>
public sealed class HarnessDependencyTests
{
    [Fact]
    public void The_harness_assembly_references_no_reference_system_assembly()
    {
        var referenced = typeof(RunPipeline).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        referenced.Should().Contain("Confluent.Kafka", "the list is the harness's real references");
        referenced.Should().NotContain(n => n.StartsWith("Reference.", StringComparison.Ordinal) || n.StartsWith("Chaos.Reference", StringComparison.Ordinal));
    }

    [Fact]
    public void The_harness_project_has_no_project_reference_into_the_reference_system()
    {
        var project = XDocument.Load(Path.Combine(TopologyTestSupport.RepoRoot, "src", "Harness", "Chaos.Harness.csproj"));

        var references = project.Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include")).ToList();
        project.Descendants("PackageReference").Should().NotBeEmpty("the file read is the harness's project");
        references.Should().NotContain(r => r != null && r.Contains("Reference.System", StringComparison.OrdinalIgnoreCase));
    }
}
