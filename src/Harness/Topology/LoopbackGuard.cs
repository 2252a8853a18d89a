using System.Net;

namespace Chaos.Harness.Topology;

/// <summary>
/// Refuses targets that are not loopback (127.0.0.0/8, ::1, <c>localhost</c>) unless remote targets are allowed.
/// Host names other than <c>localhost</c> are refused without a DNS lookup: what a name resolves to can change.
/// </summary>
public static class LoopbackGuard
{
    /// <summary>True when <paramref name="host"/> is a loopback address literal or <c>localhost</c>.</summary>
    public static bool IsLoopbackHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var trimmed = host.Trim().TrimStart('[').TrimEnd(']');
        if (trimmed.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || trimmed.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(trimmed, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// Checks a target: a URI (<c>http://127.0.0.1:5000/x</c>), a <c>host:port</c>, or a comma-separated list of
    /// them (a Kafka bootstrap list). Throws <see cref="NonLoopbackTargetException"/> for the first non-loopback host.
    /// </summary>
    /// <param name="target">The target as configured or announced.</param>
    /// <param name="allowRemote">When true, nothing is refused.</param>
    /// <param name="context">What the target is for, for the error message (e.g. "endpoint 'endpoint' of node 'api-1'").</param>
    public static void EnsureAllowed(string target, bool allowRemote, string context)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (allowRemote)
        {
            return;
        }

        foreach (var part in target.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (HostOf(part) is not { } host || !IsLoopbackHost(host))
            {
                throw new NonLoopbackTargetException(part, context);
            }
        }
    }

    /// <summary>The host of a URI or <c>host:port</c> string, or null when it cannot be read.</summary>
    internal static string? HostOf(string target)
    {
        if (target.Contains("://", StringComparison.Ordinal))
        {
            return Uri.TryCreate(target, UriKind.Absolute, out var uri) ? uri.Host : null;
        }

        // host:port, [v6]:port, or a bare host; a bare IPv6 literal has several colons.
        if (target.StartsWith('['))
        {
            var close = target.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? target[1..close] : null;
        }

        if (IPAddress.TryParse(target, out _))
        {
            return target;
        }

        var colon = target.LastIndexOf(':');
        return colon > 0 ? target[..colon] : target;
    }
}
