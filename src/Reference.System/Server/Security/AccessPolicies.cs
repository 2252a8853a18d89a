using Chaos.Reference.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace Chaos.Reference.Security;

/// <summary>
/// Who may call what (docs/security.md). Two credentials: a user token (JWT, <c>Authorization: Bearer</c>; its
/// <c>sub</c> is the user) and the admin key (<c>Authorization: AdminKey</c>; the operator and back-end services).
/// Every endpoint names its policy; one that does not gets <see cref="Admin"/> (fail closed), and the route-table test
/// in tests/Reference.System.Tests/Security fails until the new endpoint is given a stated policy.
/// </summary>
internal static class AccessPolicies
{
    /// <summary>The admin key.</summary>
    public const string Admin = "admin";

    /// <summary>A valid user token with a subject (api and gateway roles only).</summary>
    public const string User = "user";

    public static IServiceCollection AddAccessControl(this IServiceCollection services, SystemOptions options)
    {
        var jwt = SystemOptions.UsesJwt(options.Role);
        services.AddSingleton(new AdminKey(options.AdminKey));
        var authentication = services
            .AddAuthentication(o => o.DefaultScheme = jwt ? JwtBearerDefaults.AuthenticationScheme : AdminKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AdminKeyHandler>(AdminKeyHandler.SchemeName, null);
        if (jwt)
        {
            var tokens = new TokenService(options, TimeProvider.System);
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = tokens.ValidationParameters();
                o.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on a WebSocket: the token may come as ?access_token= on the hub only.
                    OnMessageReceived = ctx =>
                    {
                        var q = ctx.Request.Query["access_token"].ToString();
                        if (q.Length > 0 && ctx.HttpContext.Request.Path.StartsWithSegments("/hub", StringComparison.Ordinal))
                        {
                            ctx.Token = q;
                        }

                        return Task.CompletedTask;
                    },
                    OnAuthenticationFailed = ctx =>
                    {
                        var logger = ctx.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccessPolicies).Namespace!);
                        SecurityLog.BearerRefused(logger, ctx.Request.Path.ToUriComponent(), ctx.Exception.GetType().Name);
                        return Task.CompletedTask;
                    },
                };
            });
        }

        services.AddAuthorization(o =>
        {
            var admin = new AuthorizationPolicyBuilder(AdminKeyHandler.SchemeName).RequireRole(AdminKeyHandler.Role).Build();
            o.AddPolicy(Admin, admin);
            o.FallbackPolicy = admin;
            if (jwt)
            {
                o.AddPolicy(User, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireClaim(TokenService.SubjectClaim));
            }
        });
        return services;
    }
}
