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
    TileRaster Decode(byte[] data);
}
