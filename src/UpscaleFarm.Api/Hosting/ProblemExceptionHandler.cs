using Microsoft.AspNetCore.Diagnostics;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Api.Hosting;

/// <summary>Turns the expected failures of a request into problem+json with the right status; anything else stays a 500.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        (int Status, string Title)? mapped = exception switch
        {
            UploadRejectedException rejected => (rejected.Status, rejected.Title),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "Upload too large"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            ImageInputException => (422, "Input refused"),
            UnknownModelException or ArgumentException or InvalidDataException or System.Text.Json.JsonException => (400, "Bad request"),
            _ => null,
        };
        if (mapped is not { } problem || http.Response.HasStarted)
            return false;
        http.Response.StatusCode = problem.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = problem.Status, Title = problem.Title, Detail = exception.Message },
        });
    }
}
