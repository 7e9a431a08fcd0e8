namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// A webhook URL as logs may show it: scheme://host[:port] only. Receivers often authenticate with a
/// token in the path or query (…/hooks/SECRET, ?token=…), which must not end up in the farm's logs.
/// </summary>
public static class RedactedUrl
{
    public static string Of(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "(not a URL)";
}
