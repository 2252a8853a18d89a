using System.Net;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Reference.Adapter;

namespace Chaos.Reference.Tests.Adapter;

public sealed class FailpointClientTests
{
    [Fact]
    public async Task EveryCall_WithAnAdminKey_CarriesItAsTheAdminKeyScheme()
    {
        var seen = new List<string>();
        using var http = new HttpClient(new Recorder(seen));
        var client = new FailpointClient(http, "admin-key-0123456789abcdef");
        var endpoint = new Uri("http://127.0.0.1:1");
        var ct = TestContext.Current.CancellationToken;

        await client.ArmAsync(endpoint, new FailpointSettings { Point = "api.before-persist" }, ct);
        (await client.HitsAsync(endpoint, "api.before-persist", ct)).Should().Be(3);
        (await client.DisarmAsync(endpoint, "api.before-persist", ct)).Should().BeTrue();

        seen.Should().Equal(
            "POST /admin/failpoints AdminKey admin-key-0123456789abcdef",
            "GET /admin/failpoints AdminKey admin-key-0123456789abcdef",
            "DELETE /admin/failpoints/api.before-persist AdminKey admin-key-0123456789abcdef");
    }

    private sealed class Recorder(List<string> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add($"{request.Method} {request.RequestUri!.AbsolutePath} {request.Headers.Authorization}");
            return Task.FromResult(new HttpResponseMessage(request.Method == HttpMethod.Delete ? HttpStatusCode.NoContent : HttpStatusCode.OK)
            {
                Content = new StringContent("""[{"name":"api.before-persist","hits":3}]""", System.Text.Encoding.UTF8, "application/json"),
            });
        }
    }
}
