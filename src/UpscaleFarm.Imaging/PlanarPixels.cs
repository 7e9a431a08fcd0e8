using System.Runtime.CompilerServices;
using NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>
/// Moves pixels between libvips (interleaved 8/16-bit samples) and the model's planar float layout
/// (C×H×W, values 0..1).
/// </summary>
public static class PlanarPixels
{
    /// <summary>
    /// Reads a rectangle of a 3-band uchar/ushort image into <paramref name="destination"/> as three
    /// planes of floats in 0..1. A 1-band image is read into all three planes (alpha through the model).
    /// </summary>
    public static unsafe void Read(Image image, PixelRect rect, Span<float> destination)
    {
        using var region = image.Crop(rect.X, rect.Y, rect.Width, rect.Height);
        var memory = region.WriteToMemory(out var size);
        try
        {
            var plane = rect.Width * rect.Height;
            var bands = image.Bands;
            if (destination.Length < plane * 3 || (ulong)(plane * bands * (image.Format == Enums.BandFormat.Ushort ? 2 : 1)) != size)
                throw new ArgumentException("destination or region size mismatch");
            var r = destination[..plane];
            var g = destination.Slice(plane, plane);
            var b = destination.Slice(2 * plane, plane);
            if (image.Format == Enums.BandFormat.Ushort)
                Deinterleave(new ReadOnlySpan<ushort>((void*)memory, plane * bands), bands, 1f / 65535f, r, g, b);
            else
                Deinterleave(new ReadOnlySpan<byte>((void*)memory, plane * bands), bands, 1f / 255f, r, g, b);
        }
        finally
        {
            NetVips.NetVips.Free(memory);
        }
    }

    /// <summary>
    /// Reads a whole interleaved 1- or 3-band raster (8-bit, or 16-bit in machine byte order) into three
    /// planes of floats in 0..1, as <see cref="Read(Image, PixelRect, Span{float})"/> does for a libvips region.
    /// </summary>
    public static void Read(ReadOnlySpan<byte> pixels, int width, int height, int bands, bool is16Bit, Span<float> destination)
    {
        var plane = width * height;
        if (destination.Length < plane * 3 || pixels.Length != plane * bands * (is16Bit ? 2 : 1))
            throw new ArgumentException("destination or raster size mismatch");
        var r = destination[..plane];
        var g = destination.Slice(plane, plane);
        var b = destination.Slice(2 * plane, plane);
        if (is16Bit)
            Deinterleave(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(pixels), bands, 1f / 65535f, r, g, b);
        else
            Deinterleave(pixels, bands, 1f / 255f, r, g, b);
    }

    private static void Deinterleave<T>(ReadOnlySpan<T> src, int bands, float scale, Span<float> r, Span<float> g, Span<float> b)
        where T : unmanaged
    {
        if (bands == 1)
        {
            for (var i = 0; i < r.Length; i++)
                r[i] = ToFloat(src[i]) * scale;
            r.CopyTo(g);
            r.CopyTo(b);
            return;
        }
        for (int i = 0, j = 0; i < r.Length; i++, j += bands)
        {
            r[i] = ToFloat(src[j]) * scale;
            g[i] = ToFloat(src[j + 1]) * scale;
            b[i] = ToFloat(src[j + 2]) * scale;
        }
    }

    private static float ToFloat<T>(T value) where T : unmanaged =>
        typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref value) : Unsafe.As<T, ushort>(ref value);

    /// <summary>
    /// Writes part of a planar float tile (3 planes of <paramref name="tileWidth"/> × height) into an
    /// interleaved strip, clamping to 0..1 and rounding; with one output band the planes become luma
    /// (BT.601 weights, as OpenCV's RGB2GRAY that Real-ESRGAN uses).
    /// </summary>
    public static void Write<T>(ReadOnlySpan<float> tile, int tileWidth, int tileHeight, PixelRect source,
        Span<T> strip, int stripWidth, int destX, int destY, int bands, float maxValue) where T : unmanaged
    {
        var plane = tileWidth * tileHeight;
        var r = tile[..plane];
        var g = tile.Slice(plane, plane);
        var b = tile.Slice(2 * plane, plane);
        for (var y = 0; y < source.Height; y++)
        {
            var srcRow = (source.Y + y) * tileWidth + source.X;
            var dst = strip.Slice(((destY + y) * stripWidth + destX) * bands, source.Width * bands);
            if (bands == 3)
            {
                for (int x = 0, j = 0; x < source.Width; x++, j += 3)
                {
                    dst[j] = Quantize<T>(r[srcRow + x], maxValue);
                    dst[j + 1] = Quantize<T>(g[srcRow + x], maxValue);
                    dst[j + 2] = Quantize<T>(b[srcRow + x], maxValue);
                }
            }
            else
            {
                for (var x = 0; x < source.Width; x++)
                {
                    var luma = 0.299f * Math.Clamp(r[srcRow + x], 0f, 1f) + 0.587f * Math.Clamp(g[srcRow + x], 0f, 1f) + 0.114f * Math.Clamp(b[srcRow + x], 0f, 1f);
                    dst[x] = Quantize<T>(luma, maxValue);
                }
            }
        }
    }

    private static T Quantize<T>(float value, float maxValue) where T : unmanaged
    {
        var v = MathF.Round(Math.Clamp(value, 0f, 1f) * maxValue);
        if (typeof(T) == typeof(byte))
        {
            var b = (byte)v;
            return Unsafe.As<byte, T>(ref b);
        }
        var s = (ushort)v;
        return Unsafe.As<ushort, T>(ref s);
    }
}
