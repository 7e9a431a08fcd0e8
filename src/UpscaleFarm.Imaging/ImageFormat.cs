namespace UpscaleFarm.Imaging;

/// <summary>The image formats read and written.</summary>
public enum ImageFormat
{
    Png,
    Jpeg,
    Webp,
    Tiff,
}
