using K4os.Compression.LZ4;

namespace UpscaleFarm.Imaging.Codecs;

/// <summary>Raw samples compressed as one LZ4 block (fast level): the cheapest to encode and decode.</summary>
public sealed class Lz4TileCodec : ITileCodec
{
    private const byte Id = 1;

    public string Name => "raw+lz4";

    public byte[] Encode(TileRaster tile)
    {
        var buffer = new byte[RawTileHeader.Length + LZ4Codec.MaximumOutputSize(tile.Pixels.Length)];
        RawTileHeader.Write(buffer, Id, tile);
        var written = LZ4Codec.Encode(tile.Pixels, buffer.AsSpan(RawTileHeader.Length), LZ4Level.L00_FAST);
        return buffer[..(RawTileHeader.Length + written)];
    }

    public TileRaster Decode(ReadOnlySpan<byte> data, Func<int, byte[]> allocate)
    {
        var tile = RawTileHeader.Read(data, Id, allocate);
        var decoded = LZ4Codec.Decode(data[RawTileHeader.Length..], tile.Pixels.AsSpan(0, (int)tile.ExpectedLength));
        return decoded == tile.ExpectedLength ? tile : throw new InvalidDataException("LZ4 tile is corrupt or truncated");
    }
}
