namespace UpscaleFarm.Models.Ncnn;

/// <summary>
/// Reads weights from an ncnn .bin file in layer order. Weight matrices start with a 4-byte tag that
/// says how they are stored (fp16, fp32, or 8-bit indices into a 256-entry table); biases and slopes
/// are plain fp32 without a tag. See ncnn's ModelBinFromDataReader.
/// </summary>
public sealed class NcnnWeightReader(Stream stream) : IDisposable
{
    private const uint Fp16Tag = 0x01306B47;
    private const uint Int8Tag = 0x000D4B38;
    private const uint Fp32ScaledTag = 0x0002C056;

    private readonly BinaryReader _reader = new(stream);

    /// <summary>A tagged weight array (ncnn "type 0").</summary>
    public float[] ReadTagged(int count, NcnnLayer layer)
    {
        var tag = ReadUInt32(layer);
        switch (tag)
        {
            case Fp16Tag:
            {
                var bytes = ReadBytes(AlignTo4(count * 2), layer);
                var result = new float[count];
                for (var i = 0; i < count; i++)
                    result[i] = (float)BitConverter.ToHalf(bytes, i * 2);
                return result;
            }
            case Int8Tag:
                throw new ModelConversionException($"{layer}: int8-quantized weights are not supported; convert the model from an fp16 or fp32 export");
            case 0:
            case Fp32ScaledTag:
                return ReadFloats(count, layer);
            default:
            {
                // Any other tag: a 256-entry float table followed by one byte index per weight.
                var table = ReadFloats(256, layer);
                var indices = ReadBytes(AlignTo4(count), layer);
                var result = new float[count];
                for (var i = 0; i < count; i++)
                    result[i] = table[indices[i]];
                return result;
            }
        }
    }

    /// <summary>An untagged fp32 array (ncnn "type 1").</summary>
    public float[] ReadFloats(int count, NcnnLayer layer)
    {
        var bytes = ReadBytes(checked(count * 4), layer);
        var result = new float[count];
        Buffer.BlockCopy(bytes, 0, result, 0, bytes.Length);
        return result;
    }

    /// <summary>Bytes left unread: a correct conversion consumes the whole file.</summary>
    public long Remaining => stream.Length - stream.Position;

    public void Dispose() => _reader.Dispose();

    private uint ReadUInt32(NcnnLayer layer) => BitConverter.ToUInt32(ReadBytes(4, layer));

    private byte[] ReadBytes(int count, NcnnLayer layer)
    {
        var bytes = _reader.ReadBytes(count);
        if (bytes.Length != count)
            throw new ModelConversionException($"{layer}: the .bin file ends early (needed {count} more bytes); it does not belong to this .param file or is truncated");
        return bytes;
    }

    private static int AlignTo4(int n) => (n + 3) & ~3;
}
