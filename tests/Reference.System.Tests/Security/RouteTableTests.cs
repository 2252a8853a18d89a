namespace Chaos.Reference.Tests.Security;

/// <summary>The route table of every role, read from the code, against the stated access of each endpoint.</summary>
public sealed class RouteTableTests
{
    [Fact]
    public async Task Every_endpoint_of_every_role_carries_the_policy_its_stated_access_needs()
    {
        var routes = await RouteTable.ReadAsync();

        routes.Select(r => r.ToString()).Where(r => !AccessTable.Expected.ContainsKey(r)).Should().BeEmpty(
            "a new endpoint needs a policy, a row in AccessTable and one in docs/security.md before it ships");
        AccessTable.Expected.Keys.Should().BeEquivalentTo(routes.Select(r => r.ToString()), "every stated endpoint exists");
        routes.Where(r => r.Policy != AccessTable.PolicyOf(AccessTable.Of(r)))
            .Select(r => $"{r}: its metadata says '{r.Policy}', its stated access {AccessTable.Of(r)} needs '{AccessTable.PolicyOf(AccessTable.Of(r))}'")
            .Should().BeEmpty("each endpoint's metadata states the policy of its access (none relies on the fallback)");
    }
}
