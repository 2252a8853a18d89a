namespace Chaos.Reference.Api;

/// <summary>A request the api refuses, with the status and a message naming the problem.</summary>
internal sealed class ApiError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public ApiError()
        : this(400, "bad request")
    {
    }

    public ApiError(string message)
        : this(400, message)
    {
    }

    public ApiError(string message, Exception innerException)
        : this(400, message) => _ = innerException;
}
