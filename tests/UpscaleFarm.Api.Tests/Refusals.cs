using System.Net;
using Microsoft.AspNetCore.Mvc;

namespace UpscaleFarm.Api.Tests;

/// <summary>Posts a submission that must be refused, and returns its problem details.</summary>
internal static class Refusals
{
    public static async Task<ProblemDetails> PostAsync(HttpClient client, MultipartFormDataContent form, HttpStatusCode expected)
    {
        using var response = await client.PostAsync("/v1/jobs", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return System.Text.Json.JsonSerializer.Deserialize<ProblemDetails>(body, ApiJson.Options)!;
    }
}
