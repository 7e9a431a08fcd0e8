using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Hosting;

/// <summary>
/// Turns the expected failures of a request into problem+json (RFC 9457) with the right status; option
/// errors carry "errors" by field. Details say what was wrong in the request's own terms: never a server
/// path, an exception type or a tool's raw output (<see cref="PublicErrors"/>); every response carries its
/// traceId, under which the operators' logs and traces hold the rest. Anything else stays a bare 500.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        if (http.Response.HasStarted)
            return false;
        (int Status, string Title, string Detail, IDictionary<string, string[]>? Errors)? mapped = exception switch
        {
            JobRequestException invalid => (400, "Invalid job options", PublicErrors.Scrub(invalid.Message), invalid.Errors.ToDictionary()),
            UploadRejectedException rejected => (rejected.Status, rejected.Title, PublicErrors.Scrub(rejected.Message), null),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "Upload too large", "the request body is over its limit", null),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", BadRequestDetail(bad), null),
            ImageInputException input => (422, "Input refused", PublicErrors.Scrub(input.Message), null),
            UnknownModelException unknown => (400, "Invalid job options", unknown.Message, new Dictionary<string, string[]> { ["model"] = [unknown.Message] }),
            JsonException json => (400, "Bad request", "the JSON body is not valid" + (json.Path is { Length: > 1 } at ? $" at {at}" : ""),
                new Dictionary<string, string[]> { [FieldOf(json.Path)] = ["not a valid value"] }),
            // A dependency restarting (the job store failing over, the object store down): the client should retry.
            // Named, but not how it failed: a restarting PostgreSQL's "terminating connection" is no refusal of the request.
            _ when TransientFailures.IsTransient(exception) => (503, "Service unavailable", $"{PublicErrors.DependencyOf(exception) ?? "a service the farm depends on"} is unavailable; retry shortly", null),
            ArgumentException argument => (400, "Bad request", PublicErrors.Scrub(argument.Message), null),
            InvalidDataException => (400, "Bad request", "the request's data is not valid", null),
            // The job exists (every lookup is scoped first), its object does not: purged, or past the tenant's retention.
            ObjectNotFoundException => (410, "Gone", "this job's files were deleted: purged by its owner, or past this tenant's retention", null),
            _ => null,
        };
        if (mapped is not { } problem)
            return false;
        logger.LogInformation(exception, "Request refused with {Status}: {Detail}", problem.Status, problem.Detail);
        http.Response.StatusCode = problem.Status;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            http.Response.Headers.RetryAfter = "5";
        var details = problem.Errors is { } errors
            ? new HttpValidationProblemDetails(errors) { Status = problem.Status, Title = problem.Title, Detail = problem.Detail }
            : new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = problem.Status, Title = problem.Title, Detail = problem.Detail };
        // The exception itself is not handed on: the writer would put its type and stack in a development host's response.
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details });
    }

    /// <summary>"Failed to bind parameter "int page" from "x"." becomes "parameter 'page' is not valid": the name without the type.</summary>
    private static string BadRequestDetail(BadHttpRequestException bad) =>
        BoundParameter().Match(bad.Message) is { Success: true } m ? $"parameter '{m.Groups["name"].Value}' is not valid"
        : bad.Message.Contains("JSON", StringComparison.OrdinalIgnoreCase) ? "the JSON body is not valid"
        : "the request is not valid";

    private static string FieldOf(string? path) =>
        path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..].Split('.', '[')[0] : "body";

    [GeneratedRegex(@"parameter ""[^""]*?(?<name>\w+)""")]
    private static partial Regex BoundParameter();
}
