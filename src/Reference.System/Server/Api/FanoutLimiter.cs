namespace Chaos.Reference.Api;

/// <summary>
/// A token bucket over recipient rows: each message costs one token per recipient (one outbox row, later one inbox
/// row and one push each), refilled at <c>--fanout-rate-limit</c> rows/s with a burst of one second's worth. A message
/// with more recipients than the whole burst is admitted when the bucket is full and leaves it in debt, so a large
/// group is slowed, never refused forever. 0 rows/s turns the limit off.
/// </summary>
internal sealed class FanoutLimiter
{
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _last;

    public FanoutLimiter(int rowsPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowsPerSecond);
        _rate = rowsPerSecond;
        _burst = rowsPerSecond;
        _tokens = _burst;
        _time = time;
        _last = time.GetTimestamp();
    }

    public bool Enabled => _rate > 0;

    /// <summary>Takes <paramref name="rows"/> tokens; false, taking none, with how long until they would be there, when the bucket is short.</summary>
    public bool TryAcquire(int rows, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled)
        {
            return true;
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * _rate));
            _last = now;
            var needed = Math.Min(rows, _burst);
            if (_tokens >= needed)
            {
                _tokens -= rows;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((needed - _tokens) / _rate);
            return false;
        }
    }

    /// <summary>Gives back the rows of an admitted write that wrote none (refused by a full queue, a replay, a conflict); never above the burst.</summary>
    public void Release(int rows)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_gate)
        {
            _tokens = Math.Min(_burst, _tokens + rows);
        }
    }
}
