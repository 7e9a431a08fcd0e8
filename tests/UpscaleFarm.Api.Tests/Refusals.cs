using System.Net;
using Microsoft.AspNetCore.Mvc;

namespace UpscaleFarm.Api.Tests;

/// <summary>Refusals: a submission posted, or any response, that must be a problem+json refusal with a given status.</summary>
internal static class Refusals
{
    public static async Task<ProblemDetails> PostAsync(HttpClient client, MultipartFormDataContent form, HttpStatusCode expected)
    {
        using var response = await client.PostAsync("/v1/jobs", form);
        return System.Text.Json.JsonSerializer.Deserialize<ProblemDetails>(await BodyAsync(response, expected), ApiJson.Options)!;
    }

    /// <summary>The body of a response that must be a problem+json refusal with <paramref name="expected"/>.</summary>
    public static async Task<string> BodyAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return body;
    }
}
