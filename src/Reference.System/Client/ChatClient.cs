namespace Chaos.Reference.Client;

/// <summary>Placeholder; the client library arrives with the Reference.System issue.</summary>
public sealed class ChatClient
{
}
