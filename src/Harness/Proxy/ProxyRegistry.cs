using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Proxy;

/// <summary>The proxies of one server by name: guards name uniqueness and Toxiproxy's create/populate/reset rules.</summary>
internal sealed class ProxyRegistry
{
    private readonly FaultProxyServerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TcpFaultProxy> _proxies = new(StringComparer.Ordinal);

    public ProxyRegistry(FaultProxyServerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public IReadOnlyList<TcpFaultProxy> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _proxies.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];
            }
        }
    }

    public TcpFaultProxy Get(string name)
    {
        lock (_gate)
        {
            return _proxies.TryGetValue(name, out var proxy) ? proxy : throw ProxyApiException.ProxyNotFound();
        }
    }

    public TcpFaultProxy Create(string name, string listen, string upstream, bool enabled)
    {
        NetworkAddress.CheckUpstream(upstream, _options.AllowNonLoopbackUpstream);
        lock (_gate)
        {
            if (_proxies.ContainsKey(name))
            {
                throw ProxyApiException.ProxyAlreadyExists();
            }

            var proxy = new TcpFaultProxy(_options, _logger, name, listen, upstream);
            if (enabled)
            {
                proxy.Start();
            }

            _proxies[name] = proxy;
            return proxy;
        }
    }

    /// <summary>
    /// Creates each proxy, or replaces an existing one whose listen/upstream differ (an identical one is kept
    /// as is, toxics included). Stops at the first failure and reports what was done before it.
    /// </summary>
    public (IReadOnlyList<TcpFaultProxy> Proxies, ProxyApiException? Error) Populate(
        IReadOnlyList<(string Name, string Listen, string Upstream, bool Enabled)> specs)
    {
        var done = new List<TcpFaultProxy>(specs.Count);
        try
        {
            foreach (var spec in specs)
            {
                NetworkAddress.CheckUpstream(spec.Upstream, _options.AllowNonLoopbackUpstream);
                lock (_gate)
                {
                    if (_proxies.TryGetValue(spec.Name, out var existing))
                    {
                        if (!existing.Differs(spec.Listen, spec.Upstream))
                        {
                            done.Add(existing);
                            continue;
                        }

                        existing.Stop();
                        _proxies.Remove(spec.Name);
                    }

                    var proxy = new TcpFaultProxy(_options, _logger, spec.Name, spec.Listen, spec.Upstream);
                    if (spec.Enabled)
                    {
                        proxy.Start();
                    }

                    _proxies[spec.Name] = proxy;
                    done.Add(proxy);
                }
            }

            return (done, null);
        }
        catch (ProxyApiException e)
        {
            return (done, e);
        }
    }

    public void Remove(string name)
    {
        lock (_gate)
        {
            var proxy = _proxies.TryGetValue(name, out var found) ? found : throw ProxyApiException.ProxyNotFound();
            proxy.Stop();
            _proxies.Remove(name);
        }
    }

    /// <summary>Toxiproxy's reset: every proxy enabled, every toxic removed.</summary>
    public void Reset()
    {
        foreach (var proxy in All)
        {
            proxy.Start();
            proxy.ResetToxics();
        }
    }

    /// <summary>Stops every proxy and waits (bounded) for their connections to close.</summary>
    public async Task StopAllAsync(TimeSpan limit)
    {
        var proxies = All;
        foreach (var proxy in proxies)
        {
            proxy.Stop();
        }

        try
        {
            await Task.WhenAll(proxies.Select(p => p.DrainAsync(limit))).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Sockets are closed already; a straggling task only has bookkeeping left.
        }
    }
}
