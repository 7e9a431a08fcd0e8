namespace UpscaleFarm.Imaging.Codecs;

/// <summary>
/// How workers ship upscaled tiles to the assembler. Lossless, self-describing (the encoded bytes carry
/// the tile's size and sample format), and deterministic: the same tile always encodes to the same bytes.
/// </summary>
public interface ITileCodec
{
    string Name { get; }

    byte[] Encode(TileRaster tile) => Encode(tile, length => new byte[length]).ToArray();

    /// <summary>
    /// Encodes into a buffer from <paramref name="allocate"/>(bytes the encoding may need), which may return
    /// a longer array, e.g. one rented from a pool, and returns the part written. Only the first
    /// <see cref="TileRaster.ExpectedLength"/> bytes of the tile's pixel buffer are read.
    /// </summary>
    ArraySegment<byte> Encode(TileRaster tile, Func<int, byte[]> allocate);

    /// <summary>Throws <see cref="InvalidDataException"/> for bytes this codec did not write.</summary>
    TileRaster Decode(ReadOnlySpan<byte> data) => Decode(data, length => new byte[length]);

    /// <summary>
    /// Decodes into a pixel buffer from <paramref name="allocate"/>(bytes needed), which may return a
    /// longer array, e.g. one rented from a pool: a hot path then allocates nothing per tile.
    /// </summary>
    TileRaster Decode(ReadOnlySpan<byte> data, Func<int, byte[]> allocate);
}
