using Chaos.Reference.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.WebUtilities;

namespace Chaos.Reference.Hosting;

/// <summary>
/// Every refusal is a status with <c>{"error": "..."}</c> and no stack trace: a bad request (a body shorter than its
/// Content-Length, a refused handshake, an unknown route, a failed binding) is the client's fault and answered so; a
/// client that went away is logged in one line. Only an exception no rule foresaw — a bug — is logged with its stack.
/// </summary>
internal static partial class ErrorResponses
{
    public static void Use(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ErrorResponses).FullName!);
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (Exception) when (http.RequestAborted.IsCancellationRequested)
            {
                // the client went away mid-request: nobody to answer; a write it interrupted was rolled back whole
                LogAborted(logger, http.Request.Method, http.Request.Path.ToUriComponent());
            }
            catch (BadHttpRequestException e) when (!http.Response.HasStarted)
            {
                await WriteAsync(http, e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, e.Message);
            }
            catch (Exception e) when (!http.Response.HasStarted)
            {
                LogUnexpected(logger, e, http.Request.Method, http.Request.Path.ToUriComponent());
                await WriteAsync(http, 500, "internal error");
            }
        });

        // Statuses set without a body (authentication challenges, 404/405, refused bindings) get one too.
        app.UseStatusCodePages(context => WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, null));
    }

    private static Task WriteAsync(HttpContext http, int status, string? message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { error = message ?? Describe(http, status) });
    }

    private static string Describe(HttpContext http, int status) => status switch
    {
        401 when Policies(http).Contains(AccessPolicies.User) => "a valid user token is required (Authorization: Bearer <token>)",
        401 => "the admin key is required (Authorization: AdminKey <key>)",
        403 => "forbidden",
        404 => "no such endpoint",
        405 => "method not allowed",
        _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase.ToLowerInvariant() : "refused",
    };

    private static IEnumerable<string?> Policies(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy) ?? [];

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "{Method} {Path}: the client went away before the answer")]
    private static partial void LogAborted(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
