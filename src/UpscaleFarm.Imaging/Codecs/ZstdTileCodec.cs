using ZstdSharp;

namespace UpscaleFarm.Imaging.Codecs;

/// <summary>Raw samples compressed with zstd at a fast level: smaller than LZ4, still cheap.</summary>
public sealed class ZstdTileCodec(int level = 1) : ITileCodec
{
    private const byte Id = 2;

    public string Name => $"raw+zstd{level}";

    public byte[] Encode(TileRaster tile)
    {
        using var compressor = new Compressor(level);
        var body = compressor.Wrap(tile.Pixels);
        var result = new byte[RawTileHeader.Length + body.Length];
        RawTileHeader.Write(result, Id, tile);
        body.CopyTo(result.AsSpan(RawTileHeader.Length));
        return result;
    }

    public TileRaster Decode(ReadOnlySpan<byte> data, Func<int, byte[]> allocate)
    {
        var tile = RawTileHeader.Read(data, Id, allocate);
        using var decompressor = new Decompressor();
        try
        {
            var decoded = decompressor.Unwrap(data[RawTileHeader.Length..], tile.Pixels.AsSpan(0, (int)tile.ExpectedLength));
            return decoded == tile.ExpectedLength ? tile : throw new InvalidDataException("zstd tile is truncated");
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd tile is corrupt: {e.Message}", e);
        }
    }
}
