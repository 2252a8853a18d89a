namespace Chaos.Reference.Client;

public enum ChatClientState
{
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
}
