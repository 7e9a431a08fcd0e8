using System.Globalization;
using System.Text;

namespace UpscaleFarm.Models.Tests.Support;

/// <summary>
/// Writes a small ncnn network: the .param text (magic, counts, one line per layer) and the .bin
/// bytes, which the caller appends in the order the layers read them, as ncnn's exporters do.
/// </summary>
public sealed class NcnnModelWriter
{
    public const uint Fp16Tag = 0x01306B47;
    public const uint Int8Tag = 0x000D4B38;

    private readonly List<string> _lines = new();
    private readonly List<string> _blobs = new();
    private readonly MemoryStream _bin = new();

    /// <summary>The Input layer; <paramref name="channels"/> &gt; 0 writes 2=C for networks whose input no convolution reads.</summary>
    public NcnnModelWriter Input(string blob = "data", int channels = 0) =>
        Layer("Input", "input", [], [blob], channels > 0 ? $"2={channels}" : "");

    public NcnnModelWriter Layer(string type, string name, string[] bottoms, string[] tops, string parameters = "")
    {
        var line = $"{type} {name} {bottoms.Length} {tops.Length} {string.Join(' ', bottoms.Concat(tops))} {parameters}";
        _lines.Add(line.TrimEnd());
        _blobs.AddRange(tops.Where(t => !_blobs.Contains(t)));
        return this;
    }

    /// <summary>A weight array stored as fp32: a zero tag, then the floats.</summary>
    public NcnnModelWriter Fp32Weights(float[] values)
    {
        WriteUInt32(0);
        return RawFloats(values);
    }

    /// <summary>A weight array stored as fp16: the fp16 tag, the halfs, then zero bytes up to a multiple of 4.</summary>
    public NcnnModelWriter Fp16Weights(float[] values)
    {
        WriteUInt32(Fp16Tag);
        foreach (var v in values)
            _bin.Write(BitConverter.GetBytes((Half)v));
        if (values.Length % 2 != 0)
            _bin.Write(new byte[2]);
        return this;
    }

    public NcnnModelWriter Weights(float[] values, bool fp16) => fp16 ? Fp16Weights(values) : Fp32Weights(values);

    /// <summary>Untagged fp32 data: biases and PReLU slopes.</summary>
    public NcnnModelWriter RawFloats(float[] values)
    {
        foreach (var v in values)
            _bin.Write(BitConverter.GetBytes(v));
        return this;
    }

    public NcnnModelWriter RawBytes(byte[] bytes)
    {
        _bin.Write(bytes);
        return this;
    }

    public NcnnModelWriter WriteUInt32(uint value) => RawBytes(BitConverter.GetBytes(value));

    public string ParamText =>
        $"7767517\n{_lines.Count} {_blobs.Count}\n{string.Join('\n', _lines)}\n";

    public byte[] BinBytes => _bin.ToArray();

    /// <summary>Writes model.param and model.bin into <paramref name="directory"/>.</summary>
    public (string Param, string Bin) Save(string directory)
    {
        var param = Path.Combine(directory, "model.param");
        var bin = Path.Combine(directory, "model.bin");
        File.WriteAllText(param, ParamText, Encoding.ASCII);
        File.WriteAllBytes(bin, BinBytes);
        return (param, bin);
    }

    /// <summary>A float parameter as ncnn's exporters print it (e.g. 2.000000e+00).</summary>
    public static string Float(float value) => value.ToString("e6", CultureInfo.InvariantCulture);

    /// <summary>An ncnn array parameter: <c>-233XX=count,v1,v2...</c> for parameter id XX.</summary>
    public static string FloatArray(int id, params float[] values) =>
        $"{-23300 - id}={values.Length}{string.Concat(values.Select(v => "," + Float(v)))}";
}
