namespace Chaos.Reference.Storage;

internal enum WriteStatus
{
    Created,
    Replayed,
    Conflict,
}
