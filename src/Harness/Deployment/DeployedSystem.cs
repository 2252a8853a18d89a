using Chaos.Harness.Api;

namespace Chaos.Harness.Deployment;

/// <summary>
/// What <see cref="ISystemAdapter.DeployAsync"/> made: the deployment as runs, scenarios and faults see it, and the api
/// the workload drives. Disposing it releases the api client; the nodes are the topology's.
/// </summary>
public sealed class DeployedSystem(ISystemDeployment deployment, ISystemApi api) : IDisposable
{
    public ISystemDeployment Deployment { get; } = deployment ?? throw new ArgumentNullException(nameof(deployment));

    public ISystemApi Api { get; } = api ?? throw new ArgumentNullException(nameof(api));

    public void Dispose() => (Api as IDisposable)?.Dispose();
}
