using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using UpscaleFarm.Farm.Client;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// Reads a multipart/form-data submission section by section, straight from the request body: option
/// fields into a <see cref="JobRequest"/>, each file handed to <paramref name="onFile"/> as a stream
/// while it arrives, so an upload is never held whole in memory.
/// </summary>
public static class MultipartJobReader
{
    private const int MaxFieldBytes = 4096;

    /// <param name="checkField">Checks the options as they stand after each field, for that field, so a bad option
    /// fails the submission before the files after it are read.</param>
    /// <returns>The job's options, and the container asked for a video's result ("video" or "zip"; null: not said).</returns>
    public static async Task<(JobRequest Job, string? Container)> ReadAsync(HttpRequest request, JobRequest defaults, Func<string, Stream, Task> onFile,
        Action<JobRequest, string> checkField, CancellationToken cancellation)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
            throw UploadRejectedException.BadRequest("expected multipart/form-data with a boundary");
        var reader = new MultipartReader(boundary, request.Body);
        var job = defaults;
        string? container = null;
        while (await reader.ReadNextSectionAsync(cancellation) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                throw UploadRejectedException.BadRequest("a multipart section has no Content-Disposition");
            if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
            {
                // A client's name, never a path of ours: reduced to a safe base name before it names anything.
                await onFile(UploadedFileName.Of(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value),
                    section.Body);
            }
            else if (HeaderUtilities.RemoveQuotes(disposition.Name).Value is "container")
            {
                container = await ReadFieldAsync(section.Body, cancellation);
                if (container is not ("video" or "zip"))
                    throw JobRequestException.Of("container", "must be 'video' or 'zip'");
            }
            else
            {
                var field = (HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "").ToLowerInvariant();
                job = Apply(job, field, await ReadFieldAsync(section.Body, cancellation));
                checkField(job, field);
            }
        }
        return (job, container);
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellation)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(length), cancellation)) > 0)
            if ((length += read) > MaxFieldBytes)
                throw UploadRejectedException.BadRequest($"a form field is over {MaxFieldBytes} bytes");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static JobRequest Apply(JobRequest job, string field, string value) => field switch
    {
        "model" => job with { Model = value },
        "scale" => job with { Options = job.Options with { OutScale = Number(field, value, double.Parse) } },
        "format" => job with { Options = job.Options with { Format = value } },
        "quality" => job with { Options = job.Options with { Quality = Number(field, value, int.Parse) } },
        "tile" => job with { Options = job.Options with { TileSize = Number(field, value, int.Parse) } },
        "halo" => job with { Options = job.Options with { Halo = Number(field, value, int.Parse) } },
        "alpha" => job with { Options = job.Options with { Alpha = JobOptionRules.ParseAlpha(value) } },
        "priority" => job with { Priority = Number(field, value, int.Parse) },
        "webhook" => job with { WebhookUrl = value },
        _ => throw JobRequestException.Of(field.Length is > 0 and <= 64 ? field : "(field)",
            "unknown field; expected model, scale, format, quality, tile, halo, alpha, priority, webhook, container or files"),
    };

    private static T Number<T>(string field, string value, Func<string, IFormatProvider, T> parse)
    {
        try
        {
            return parse(value, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw JobRequestException.Of(field, "must be a number in range");
        }
    }
}
