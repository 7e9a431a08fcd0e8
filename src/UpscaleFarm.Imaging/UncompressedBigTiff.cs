using System.Buffers.Binary;

namespace UpscaleFarm.Imaging;

/// <summary>
/// The framing of a minimal little-endian BigTIFF whose pixels are one uncompressed, contiguous run of
/// rows starting right after the 16-byte header, so the pixels can be streamed into the file first and
/// the directory appended at the end (or, for a stream read while it is produced, after a header that
/// holds the directory: <see cref="StreamingHeader"/>). libvips reads such a file strip by strip through plain reads,
/// so the reader's memory stays at a few strips; a raw file, by contrast, is memory-mapped whole and
/// every page the encoder touches stays in the process's resident set.
/// </summary>
public static class UncompressedBigTiff
{
    /// <summary>Where the pixels start: right after the header.</summary>
    public const int PixelOffset = 16;

    private const ushort Short = 3, Long = 4, Long8 = 16;

    /// <summary>The header; its directory offset is patched in by <see cref="WriteDirectory"/>.</summary>
    public static void WriteHeader(Stream stream)
    {
        Span<byte> header = stackalloc byte[PixelOffset];
        header.Clear();
        header[0] = header[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 43);  // BigTIFF
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 8);   // offset size
        stream.Write(header);
    }

    /// <summary>
    /// Appends the strip tables and the image directory after the pixels, then points the header at it.
    /// The stream must be positioned right after the last pixel row.
    /// </summary>
    public static void WriteDirectory(Stream stream, int width, int height, int bands, int bytesPerSample)
    {
        if (stream.Position % 2 == 1)
            stream.WriteByte(0); // TIFF wants tables and directories on word boundaries
        var (tables, directoryAt) = Tables(width, height, bands, bytesPerSample, PixelOffset, stream.Position);
        stream.Write(tables);

        Span<byte> pointer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(pointer, directoryAt);
        stream.Position = 8;
        stream.Write(pointer);
        stream.Position = stream.Length;
    }

    /// <summary>
    /// Everything before the pixels of a file laid out for streaming: the header, then the strip tables and the
    /// directory, then (not included) the rows, top to bottom, starting at the returned array's length. A reader
    /// that reads strips in order (libvips in sequential access) then never looks behind the rows it has read,
    /// so the rows can be produced while it reads them.
    /// </summary>
    public static byte[] StreamingHeader(int width, int height, int bands, int bytesPerSample)
    {
        // The tables' and directory's size do not depend on where the pixels are: measured once, then laid out for real.
        var size = PixelOffset + Tables(width, height, bands, bytesPerSample, 0, PixelOffset).Bytes.Length;
        var (tables, directoryAt) = Tables(width, height, bands, bytesPerSample, size, PixelOffset);
        var header = new byte[size];
        WriteHeader(new MemoryStream(header));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), directoryAt);
        tables.CopyTo(header, PixelOffset);
        return header;
    }

    /// <summary>The strip tables and the directory, to be written at <paramref name="at"/> (even), for pixels at <paramref name="pixelOffset"/>.</summary>
    private static (byte[] Bytes, long DirectoryAt) Tables(int width, int height, int bands, int bytesPerSample, long pixelOffset, long at)
    {
        if (bands is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(bands), bands, "1 to 4 bands");
        var rowBytes = (long)width * bands * bytesPerSample;
        // Strips of about 1 MiB: the reader holds a strip or two at a time.
        var rowsPerStrip = (int)Math.Clamp((1L << 20) / rowBytes, 1, height);
        var strips = (height + rowsPerStrip - 1) / rowsPerStrip;

        var stream = new MemoryStream();
        var offsetsAt = at + stream.Position;
        WriteLongs(stream, strips, s => pixelOffset + (s * rowsPerStrip * rowBytes));
        var countsAt = at + stream.Position;
        WriteLongs(stream, strips, s => Math.Min(rowsPerStrip, height - (s * rowsPerStrip)) * rowBytes);

        var bitsPerSample = (long)bytesPerSample * 8;
        // Up to 4 SHORT values fit in the 8-byte value field of a BigTIFF entry.
        var bitsInline = 0L;
        for (var b = 0; b < bands; b++)
            bitsInline |= bitsPerSample << (16 * b);
        (ushort Tag, ushort Type, long Count, long Value)[] entries =
        [
            (256, Long, 1, width),
            (257, Long, 1, height),
            (258, Short, bands, bitsInline),
            (259, Short, 1, 1),                       // no compression
            (262, Short, 1, bands == 1 ? 1 : 2),      // min-is-black or RGB
            (273, Long8, strips, strips == 1 ? pixelOffset : offsetsAt),
            (277, Short, 1, bands),
            (278, Long, 1, rowsPerStrip),
            (279, Long8, strips, strips == 1 ? rowBytes * height : countsAt),
            (284, Short, 1, 1),                       // interleaved
        ];

        var directoryAt = at + stream.Position;
        var directory = new byte[8 + (entries.Length * 20) + 8];
        BinaryPrimitives.WriteInt64LittleEndian(directory, entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = directory.AsSpan(8 + (i * 20));
            BinaryPrimitives.WriteUInt16LittleEndian(entry, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], entries[i].Type);
            BinaryPrimitives.WriteInt64LittleEndian(entry[4..], entries[i].Count);
            BinaryPrimitives.WriteInt64LittleEndian(entry[12..], entries[i].Value);
        }
        stream.Write(directory); // ends with a zero "next directory" offset
        return (stream.ToArray(), directoryAt);
    }

    private static void WriteLongs(Stream stream, int count, Func<long, long> value)
    {
        var bytes = new byte[count * 8L];
        for (var i = 0; i < count; i++)
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), value(i));
        stream.Write(bytes);
    }
}
