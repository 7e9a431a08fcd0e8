using System.Text.Json;

namespace UpscaleFarm.Api.Tests;

internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
