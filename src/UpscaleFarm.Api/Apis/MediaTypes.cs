namespace UpscaleFarm.Api.Apis;

/// <summary>The Content-Type of a stored result, from its file extension (images, and videos for video jobs).</summary>
public static class MediaTypes
{
    public static string OfExtension(string extension) => extension.ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".tif" or ".tiff" => "image/tiff",
        ".mp4" or ".m4v" => "video/mp4",
        ".mov" => "video/quicktime",
        ".mkv" => "video/x-matroska",
        ".webm" => "video/webm",
        ".avi" => "video/x-msvideo",
        _ => "application/octet-stream",
    };
}
