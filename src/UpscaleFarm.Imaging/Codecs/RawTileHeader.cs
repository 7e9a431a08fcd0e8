using System.Buffers.Binary;

namespace UpscaleFarm.Imaging.Codecs;

/// <summary>
/// The 16-byte header in front of a compressed raw tile: magic "UFT1", codec id, bands, bits per
/// sample, width, height.
/// </summary>
internal static class RawTileHeader
{
    public const int Length = 16;
    private const uint Magic = 0x31544655; // "UFT1"

    public static void Write(Span<byte> destination, byte codec, TileRaster tile)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        destination[4] = codec;
        destination[5] = (byte)tile.Bands;
        destination[6] = (byte)(tile.Is16Bit ? 16 : 8);
        destination[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], tile.Width);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], tile.Height);
    }

    /// <summary>The tile's shape with a pixel buffer of at least its size, from <paramref name="allocate"/>.</summary>
    public static TileRaster Read(ReadOnlySpan<byte> data, byte codec, Func<int, byte[]> allocate)
    {
        if (data.Length < Length || BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic || data[4] != codec)
            throw new InvalidDataException("not a tile written by this codec");
        int bands = data[5], bits = data[6];
        var width = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        var height = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        if (bands is < 1 or > 4 || bits is not (8 or 16) || width <= 0 || height <= 0 || (long)width * height * bands * (bits / 8) > int.MaxValue)
            throw new InvalidDataException("tile header out of range");
        var length = width * height * bands * (bits / 8);
        var pixels = allocate(length);
        return pixels.Length >= length ? new TileRaster(width, height, bands, bits == 16, pixels)
            : throw new ArgumentException($"the buffer holds {pixels.Length} of {length} bytes", nameof(allocate));
    }
}
