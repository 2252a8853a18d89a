namespace Chaos.Harness.Proxy;

/// <summary>An API failure with the status and message Toxiproxy would answer with.</summary>
internal sealed class ProxyApiException : Exception
{
    public ProxyApiException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    public ProxyApiException()
    {
    }

    public ProxyApiException(string message)
        : base(message)
    {
    }

    public ProxyApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Status { get; } = 500;

    // Toxiproxy's fixed error texts (api.go), so clients matching on them keep working.
    public static ProxyApiException BadRequestBody(string detail) => new(400, "bad request body: " + detail);

    public static ProxyApiException MissingField(string field) => new(400, "missing required field: " + field);

    public static ProxyApiException ProxyNotFound() => new(404, "proxy not found");

    public static ProxyApiException ProxyAlreadyExists() => new(409, "proxy already exists");

    public static ProxyApiException InvalidStream() => new(400, "stream was invalid, can be either upstream or downstream");

    public static ProxyApiException InvalidToxicType() => new(400, "invalid toxic type");

    public static ProxyApiException ToxicAlreadyExists() => new(409, "toxic already exists");

    public static ProxyApiException ToxicNotFound() => new(404, "toxic not found");

    public static ProxyApiException ConnectionNotFound() => new(404, "connection not found");
}
