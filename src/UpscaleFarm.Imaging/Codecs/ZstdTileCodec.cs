using ZstdSharp;

namespace UpscaleFarm.Imaging.Codecs;

/// <summary>Raw samples compressed with zstd at a fast level: smaller than LZ4, still cheap.</summary>
public sealed class ZstdTileCodec(int level = 1) : ITileCodec
{
    private const byte Id = 2;

    public string Name => $"raw+zstd{level}";

    public ArraySegment<byte> Encode(TileRaster tile, Func<int, byte[]> allocate)
    {
        var length = (int)tile.ExpectedLength;
        var buffer = allocate(RawTileHeader.Length + Compressor.GetCompressBound(length));
        RawTileHeader.Write(buffer, Id, tile);
        using var compressor = new Compressor(level);
        var written = compressor.Wrap(tile.Pixels.AsSpan(0, length), buffer.AsSpan(RawTileHeader.Length));
        return new ArraySegment<byte>(buffer, 0, RawTileHeader.Length + written);
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
