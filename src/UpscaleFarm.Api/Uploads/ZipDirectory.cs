using System.Buffers.Binary;
using System.Text;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// A zip's central directory read as a stream, one record at a time, before the archive is opened: what it declares
/// (entries, image entries, their uncompressed bytes) is counted as it is read and refused as soon as it passes a
/// limit, holding nothing per entry. A directory of millions of tiny records otherwise costs about 500 bytes of memory
/// each when <see cref="System.IO.Compression.ZipArchive"/> materialises it, before any count can be checked.
/// </summary>
public static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50, Zip64EndSignature = 0x06064b50, Zip64LocatorSignature = 0x07064b50, EntrySignature = 0x02014b50;
    private const int EndLength = 22, Zip64LocatorLength = 20, EntryLength = 46;

    /// <param name="maxEntries">Records of any kind, at most (folders and metadata files included).</param>
    /// <param name="maxImages">Records named as images (<paramref name="isImage"/>), at most.</param>
    /// <param name="maxImageBytes">Uncompressed bytes the image records declare together, at most.</param>
    public static void Scan(string path, long maxEntries, long maxImages, long maxImageBytes, Func<string, bool> isImage)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var (declared, start, size) = FindDirectory(file);
        if (declared > maxEntries)
            throw UploadRejectedException.TooLarge($"the zip declares {declared} entries; at most {maxEntries} are accepted");
        if (start < 0 || size < 0 || start > file.Length || size > file.Length - start)
            throw NotAZip();

        file.Position = start;
        long entries = 0, images = 0, imageBytes = 0;
        Span<byte> record = stackalloc byte[EntryLength];
        var name = new byte[ushort.MaxValue];
        var extra = new byte[ushort.MaxValue];
        while (file.Position < start + size)
        {
            ReadExactly(file, record);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != EntrySignature)
                throw NotAZip();
            if (++entries > maxEntries)
                throw UploadRejectedException.TooLarge($"the zip holds more than {maxEntries} entries, the most accepted");
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(record[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[28..]), extraLength = BinaryPrimitives.ReadUInt16LittleEndian(record[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(record[32..]);
            ReadExactly(file, name.AsSpan(0, nameLength));
            ReadExactly(file, extra.AsSpan(0, extraLength));
            file.Seek(commentLength, SeekOrigin.Current);
            // Bit 11: the name is UTF-8; older zips use code page 437, whose ASCII part is all an extension needs.
            var entryName = (flags & 0x800) != 0 ? Encoding.UTF8.GetString(name, 0, nameLength) : Encoding.Latin1.GetString(name, 0, nameLength);
            if (!isImage(entryName))
                continue;
            if (++images > maxImages)
                throw UploadRejectedException.TooLarge($"the zip holds more than {maxImages} images; a job may have at most {maxImages} frames");
            if (uncompressed == uint.MaxValue)
                uncompressed = Zip64Size(extra.AsSpan(0, extraLength));
            imageBytes += uncompressed;
            if (uncompressed < 0 || imageBytes > maxImageBytes)
                throw UploadRejectedException.TooLarge($"the zip declares at least {Math.Max(imageBytes, maxImageBytes + 1)} bytes uncompressed, over this tenant's limit of {maxImageBytes} bytes");
        }
    }

    /// <summary>The entry count, offset and size of the central directory, from the end record (and its Zip64 form).</summary>
    private static (long Entries, long Start, long Size) FindDirectory(FileStream file)
    {
        // The end record is the last 22 bytes, unless a comment of up to 65 535 bytes follows it.
        var tailLength = (int)Math.Min(file.Length, EndLength + ushort.MaxValue);
        var tail = new byte[tailLength];
        file.Position = file.Length - tailLength;
        ReadExactly(file, tail);
        var end = -1;
        for (var i = tailLength - EndLength; i >= 0 && end < 0; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature
                && i + EndLength + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength)
                end = i;
        if (end < 0)
            throw NotAZip();
        var record = tail.AsSpan(end);
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]), start = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        if (entries != ushort.MaxValue && size != uint.MaxValue && start != uint.MaxValue)
            return (entries, start, size);

        // Zip64: a locator just before the end record points at the Zip64 end record, which has the 8-byte counts.
        var locatorAt = file.Length - tailLength + end - Zip64LocatorLength;
        if (locatorAt < 0)
            throw NotAZip();
        Span<byte> locator = stackalloc byte[Zip64LocatorLength];
        file.Position = locatorAt;
        ReadExactly(file, locator);
        if (BinaryPrimitives.ReadUInt32LittleEndian(locator) != Zip64LocatorSignature)
            return (entries, start, size);
        var zip64At = BinaryPrimitives.ReadInt64LittleEndian(locator[8..]);
        if (zip64At < 0 || zip64At > locatorAt - 56)
            throw NotAZip();
        Span<byte> zip64 = stackalloc byte[56];
        file.Position = zip64At;
        ReadExactly(file, zip64);
        if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
            throw NotAZip();
        return (BinaryPrimitives.ReadInt64LittleEndian(zip64[32..]), BinaryPrimitives.ReadInt64LittleEndian(zip64[48..]),
            BinaryPrimitives.ReadInt64LittleEndian(zip64[40..]));
    }

    /// <summary>The uncompressed size in an entry's Zip64 extra field (header 1), the first of its 8-byte values; -1 if absent.</summary>
    private static long Zip64Size(ReadOnlySpan<byte> extra)
    {
        while (extra.Length >= 4)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra), length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (length > extra.Length - 4)
                break;
            if (id == 1 && length >= 8)
                return BinaryPrimitives.ReadInt64LittleEndian(extra[4..]);
            extra = extra[(4 + length)..];
        }
        return -1;
    }

    private static void ReadExactly(FileStream file, Span<byte> buffer)
    {
        try
        {
            file.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw NotAZip();
        }
    }

    private static UploadRejectedException NotAZip() => UploadRejectedException.Unprocessable("not a readable zip (its directory is missing or damaged)");
}
