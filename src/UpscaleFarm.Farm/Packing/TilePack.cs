using System.Buffers.Binary;

namespace UpscaleFarm.Farm.Packing;

/// <summary>
/// The object a pack of tiles travels in (<see cref="TilePacker"/>): its tiles' encodings (<see cref="Imaging.Codecs.ITileCodec"/>)
/// one after another behind a small index, so a pack of 32 tiny tiles is one object write and one read instead of 32 of
/// each. Layout, little-endian: "UFP1", the count, each part's length, then the parts in order.
/// </summary>
public static class TilePack
{
    private const uint Magic = 0x31504655; // "UFP1"

    public static int HeaderLength(int count) => 8 + (4 * count);

    /// <summary>
    /// Packs <paramref name="parts"/> into a buffer from <paramref name="allocate"/> (which may return a longer array, e.g.
    /// a pooled one) and returns the part of it written.
    /// </summary>
    public static ArraySegment<byte> Write(IReadOnlyList<ArraySegment<byte>> parts, Func<int, byte[]> allocate)
    {
        var length = HeaderLength(parts.Count) + parts.Sum(p => (long)p.Count);
        if (length > Array.MaxLength)
            throw new InvalidOperationException("a pack of tiles is larger than one buffer can hold; pack fewer pixels (Coordinator:PackPixels)");
        var buffer = allocate((int)length);
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], parts.Count);
        var offset = HeaderLength(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[(8 + (4 * i))..], parts[i].Count);
            parts[i].AsSpan().CopyTo(span[offset..]);
            offset += parts[i].Count;
        }
        return new ArraySegment<byte>(buffer, 0, offset);
    }

    /// <summary>
    /// Where each of the <paramref name="count"/> parts of a pack lies in <paramref name="data"/>; throws
    /// <see cref="InvalidDataException"/> for bytes that are not such a pack (another count, a length past the end).
    /// </summary>
    public static (int Offset, int Length)[] Parts(ReadOnlySpan<byte> data, int count)
    {
        if (data.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic)
            throw new InvalidDataException("not a pack of tiles");
        if (BinaryPrimitives.ReadInt32LittleEndian(data[4..]) != count || data.Length < HeaderLength(count))
            throw new InvalidDataException($"the pack does not hold the {count} tiles expected");
        var parts = new (int, int)[count];
        long offset = HeaderLength(count);
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[(8 + (4 * i))..]);
            if (length < 0 || offset + length > data.Length)
                throw new InvalidDataException("the pack of tiles is truncated");
            parts[i] = ((int)offset, length);
            offset += length;
        }
        return parts;
    }
}
