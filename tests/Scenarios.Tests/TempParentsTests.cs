using System.Text.RegularExpressions;

namespace Chaos.Scenarios.Tests;

/// <summary>Every $TMPDIR parent folder a test of this assembly names is one <see cref="TempParents"/> removes.</summary>
public sealed partial class TempParentsTests
{
    [Fact]
    public void Every_temp_parent_the_tests_use_is_removed_when_the_assembly_ends()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "tests", "Scenarios.Tests"));
        var used = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => TempParent().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

        used.Should().NotBeEmpty("the tests make their folders under named parents in $TMPDIR");
        used.Should().BeSubsetOf(TempParents.Names, "a parent not listed in TempParents is left behind, empty, after every run");
    }

    [GeneratedRegex("GetTempPath\\(\\),\\s*\"(chaos-[a-z-]+)\"")]
    private static partial Regex TempParent();
}
