namespace UpscaleFarm.Imaging.Codecs;

/// <summary>
/// How workers ship upscaled tiles to the assembler. Lossless, self-describing (the encoded bytes carry
/// the tile's size and sample format), and deterministic: the same tile always encodes to the same bytes.
/// </summary>
public interface ITileCodec
{
    string Name { get; }

    byte[] Encode(TileRaster tile);

    /// <summary>Throws <see cref="InvalidDataException"/> for bytes this codec did not write.</summary>
    TileRaster Decode(ReadOnlySpan<byte> data) => Decode(data, length => new byte[length]);

    /// <summary>
    /// Decodes into a pixel buffer from <paramref name="allocate"/>(bytes needed), which may return a
    /// longer array, e.g. one rented from a pool: a hot path then allocates nothing per tile.
    /// </summary>
    TileRaster Decode(ReadOnlySpan<byte> data, Func<int, byte[]> allocate);
}
