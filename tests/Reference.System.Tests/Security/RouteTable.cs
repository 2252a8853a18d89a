using System.Collections;
using Chaos.Reference.Hosting;
using Chaos.Reference.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Chaos.Reference.Tests.Security;

/// <summary>One endpoint of a role as its route table has it, with the access its metadata states.</summary>
/// <param name="Role">api, gateway, notifier or jobs.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The route pattern, e.g. <c>/users/{id}/inbox</c>.</param>
/// <param name="Policy">"anonymous", a policy name, or "(none)" when the endpoint states nothing (the fallback applies).</param>
public sealed record RouteEntry(string Role, string Method, string Route, string Policy)
{
    public override string ToString() => $"{Role} {Method} {Route}";
}

/// <summary>
/// Reads every role's route table from the application the process runs (<see cref="SystemHost.Build"/>, not
/// started): a new endpoint shows up here, and the tests that probe each entry probe it too.
/// </summary>
internal static class RouteTable
{
    public static readonly string[] Roles = ["api", "gateway", "notifier", "jobs"];

    public static async Task<IReadOnlyList<RouteEntry>> ReadAsync()
    {
        var entries = new List<RouteEntry>();
        foreach (var role in Roles)
        {
            entries.AddRange(await ReadAsync(role));
        }

        return entries;
    }

    public static async Task<IReadOnlyList<RouteEntry>> ReadAsync(string role)
    {
        var db = Path.Combine(Path.GetTempPath(), $"refsys-routes-{Guid.NewGuid():N}.db");
        var env = new Hashtable { ["REFSYS_JWT_KEY"] = "route-table-jwt-key-0123456789", ["REFSYS_ADMIN_KEY"] = "route-table-admin-key-0123456789" };
        var options = SystemOptions.FromArgs(["--role", role, "--kafka", "127.0.0.1:1", "--db", "sqlite:" + db], env, out var error)
            ?? throw new InvalidOperationException(error);
        await using var database = Database.Create(options.Db);
        await using var app = SystemHost.Build(options, database);
        var entries = new List<RouteEntry>();
        foreach (var endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
        {
            var policy = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
                ? "anonymous"
                : string.Join('+', endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "(default)")) is { Length: > 0 } p ? p : "(none)";
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
            {
                entries.Add(new RouteEntry(role, method, endpoint.RoutePattern.RawText ?? "?", policy));
            }
        }

        File.Delete(db);
        return [.. entries.Distinct().OrderBy(e => e.Route, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)];
    }
}
