using NetVips;

namespace UpscaleFarm.Imaging.Codecs;

/// <summary>PNG through libvips at a low zlib level: a standard format, slower than the raw codecs.</summary>
public sealed class PngTileCodec(int compression = 1) : ITileCodec
{
    public string Name => $"png{compression}";

    public ArraySegment<byte> Encode(TileRaster tile, Func<int, byte[]> allocate)
    {
        var png = EncodePng(tile);
        var buffer = allocate(png.Length);
        png.CopyTo(buffer, 0);
        return new ArraySegment<byte>(buffer, 0, png.Length);
    }

    private byte[] EncodePng(TileRaster tile)
    {
        VipsSetup.EnsureConfigured();
        using var raw = Image.NewFromMemory(tile.Pixels, tile.Width, tile.Height, tile.Bands, tile.Is16Bit ? Enums.BandFormat.Ushort : Enums.BandFormat.Uchar);
        // The interpretation says what range the samples use: without Grey16, libvips takes 16-bit grey for 0..255 and rescales it.
        using var image = raw.Copy(interpretation: (tile.Is16Bit, tile.Bands >= 3) switch
        {
            (true, true) => Enums.Interpretation.Rgb16,
            (true, false) => Enums.Interpretation.Grey16,
            (false, true) => Enums.Interpretation.Srgb,
            (false, false) => Enums.Interpretation.Bw,
        });
        return image.PngsaveBuffer(compression: compression, bitdepth: tile.Is16Bit ? 16 : 8, filter: Enums.ForeignPngFilter.None);
    }

    public TileRaster Decode(ReadOnlySpan<byte> data, Func<int, byte[]> allocate)
    {
        VipsSetup.EnsureConfigured();
        try
        {
            using var image = Image.PngloadBuffer(data.ToArray(), failOn: Enums.FailOn.Error);
            var decoded = ImageBytes.Of(image);
            var pixels = allocate(decoded.Length);
            decoded.CopyTo(pixels, 0);
            return new TileRaster(image.Width, image.Height, image.Bands, image.Format == Enums.BandFormat.Ushort, pixels);
        }
        catch (VipsException e)
        {
            throw new InvalidDataException($"PNG tile is corrupt: {VipsErrors.Cause(e)}", e);
        }
    }
}
