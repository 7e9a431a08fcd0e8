namespace UpscaleFarm.Api.Uploads;

/// <summary>A submission refused for what it contains; becomes a problem+json response with the status.</summary>
public sealed class UploadRejectedException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;

    public static UploadRejectedException TooLarge(string detail) => new(StatusCodes.Status413PayloadTooLarge, "Upload too large", detail);

    public static UploadRejectedException Unprocessable(string detail) => new(StatusCodes.Status422UnprocessableEntity, "Input refused", detail);

    public static UploadRejectedException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static UploadRejectedException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);
}
