using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace WsChat.Server;

/// <summary>
/// The devices connected to this process, by user and device, and their push. A device connects to
/// <c>/ws?device=NAME&amp;after=SEQ</c> with its user's token; it is sent every inbox entry after SEQ, then each new
/// entry as the consumer appends it, as one text frame <c>{"seq":N,"id":"...","from":"..."}</c>. The device sends
/// nothing; it resumes by reconnecting with the last sequence it kept.
/// </summary>
/// <param name="journal">The inboxes a connecting device catches up from.</param>
/// <param name="lastDeviceWins">The planted bug (<c>--defect last-device-wins</c>): connections are kept by user, not by
/// device, so a user's second device takes the first one's place and the first gets no more live frames.</param>
public sealed class Devices(InboxJournal journal, bool lastDeviceWins)
{
    /// <summary>Frames one connection may have waiting; past it the connection is closed (the device reconnects and
    /// resumes from its position) rather than the process buffering without bound for a reader that does not read.</summary>
    private const int MaxPending = 10_000;

    private readonly Dictionary<(string User, string Device), Connection> _connections = [];
    private readonly Dictionary<string, List<Connection>> _byUser = new(StringComparer.Ordinal); // the push's index
    private readonly Lock _gate = new();

    /// <summary>Connected devices.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Hands each appended entry to its user's connected devices.</summary>
    public void Push(IReadOnlyList<InboxEntry> entries)
    {
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                foreach (var connection in _byUser.GetValueOrDefault(entry.User) ?? [])
                {
                    if (!connection.Pending.Writer.TryWrite(entry))
                    {
                        connection.Abort();
                    }
                }
            }
        }
    }

    /// <summary>Serves one device's WebSocket until it closes or the process stops.</summary>
    public async Task ServeAsync(WebSocket socket, string user, string device, long after, CancellationToken cancellationToken)
    {
        var key = (user, lastDeviceWins ? string.Empty : device);
        var connection = new Connection(socket);
        lock (_gate)
        {
            if (_connections.Remove(key, out var previous))
            {
                Unindex(user, previous);
                if (!lastDeviceWins)
                {
                    previous.Abort(); // the same device again: its old connection is dead to it
                }
            }

            // (with the defect, another device's live connection is forgotten here: it stays open and hears nothing)
            _connections[key] = connection;
            if (!_byUser.TryGetValue(user, out var mine))
            {
                _byUser[user] = mine = [];
            }

            mine.Add(connection);
        }

        try
        {
            // registered first, read second: an entry appended meanwhile is both read and pushed, and sent once
            var sent = after;
            foreach (var entry in journal.After(user, after))
            {
                await SendAsync(socket, entry, cancellationToken);
                sent = entry.Seq;
            }

            var reading = DiscardIncomingAsync(socket, connection, cancellationToken);
            await foreach (var entry in connection.Pending.Reader.ReadAllAsync(cancellationToken))
            {
                if (entry.Seq > sent)
                {
                    await SendAsync(socket, entry, cancellationToken);
                    sent = entry.Seq;
                }
            }

            await reading;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // the device went, or the process is stopping: its position is on the device
        }
        finally
        {
            lock (_gate)
            {
                if (_connections.TryGetValue(key, out var current) && current == connection)
                {
                    _connections.Remove(key);
                    Unindex(user, connection);
                }
            }

            connection.Abort();
        }
    }

    /// <summary>Drops <paramref name="connection"/> from its user's push list (under the gate).</summary>
    private void Unindex(string user, Connection connection)
    {
        if (_byUser.TryGetValue(user, out var mine) && mine.Remove(connection) && mine.Count == 0)
        {
            _byUser.Remove(user);
        }
    }

    private static Task SendAsync(WebSocket socket, InboxEntry entry, CancellationToken cancellationToken)
    {
        var json = $$"""{"seq":{{entry.Seq}},"id":"{{entry.Id}}","from":"{{entry.From}}"}""";
        return socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    /// <summary>Reads (and ignores) what the device sends, so close frames and pongs are seen; ends the push when it goes.</summary>
    private static async Task DiscardIncomingAsync(WebSocket socket, Connection connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var read = await socket.ReceiveAsync(buffer, cancellationToken);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            connection.Pending.Writer.TryComplete();
        }
    }

    private sealed class Connection(WebSocket socket)
    {
        public Channel<InboxEntry> Pending { get; } = Channel.CreateBounded<InboxEntry>(new BoundedChannelOptions(MaxPending) { FullMode = BoundedChannelFullMode.Wait });

        public void Abort()
        {
            Pending.Writer.TryComplete();
            socket.Abort();
        }
    }
}
