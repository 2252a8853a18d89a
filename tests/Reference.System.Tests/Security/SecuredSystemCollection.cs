namespace Chaos.Reference.Tests.Security;

/// <summary>The security test classes share one <see cref="SecuredSystem"/> and run one after another.</summary>
[CollectionDefinition(SecuredSystem.Name)]
public sealed class SecuredSystemCollection : ICollectionFixture<SecuredSystem>;
