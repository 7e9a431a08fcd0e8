using K4os.Compression.LZ4;

namespace UpscaleFarm.Imaging.Codecs;

/// <summary>Raw samples compressed as one LZ4 block (fast level): the cheapest to encode and decode.</summary>
public sealed class Lz4TileCodec : ITileCodec
{
    private const byte Id = 1;

    public string Name => "raw+lz4";

    public ArraySegment<byte> Encode(TileRaster tile, Func<int, byte[]> allocate)
    {
        var length = (int)tile.ExpectedLength;
        var buffer = allocate(RawTileHeader.Length + LZ4Codec.MaximumOutputSize(length));
        RawTileHeader.Write(buffer, Id, tile);
        var written = LZ4Codec.Encode(tile.Pixels.AsSpan(0, length), buffer.AsSpan(RawTileHeader.Length), LZ4Level.L00_FAST);
        return new ArraySegment<byte>(buffer, 0, RawTileHeader.Length + written);
    }

    public TileRaster Decode(ReadOnlySpan<byte> data, Func<int, byte[]> allocate)
    {
        var tile = RawTileHeader.Read(data, Id, allocate);
        var decoded = LZ4Codec.Decode(data[RawTileHeader.Length..], tile.Pixels.AsSpan(0, (int)tile.ExpectedLength));
        return decoded == tile.ExpectedLength ? tile : throw new InvalidDataException("LZ4 tile is corrupt or truncated");
    }
}
