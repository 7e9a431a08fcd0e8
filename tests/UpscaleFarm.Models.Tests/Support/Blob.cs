namespace UpscaleFarm.Models.Tests.Support;

/// <summary>
/// A float tensor laid out as ncnn holds a blob: channels, then rows, then columns. ncnn has no batch
/// axis, so the ONNX side of every test uses N = 1.
/// </summary>
public sealed class Blob
{
    public Blob(int channels, int height, int width, float[]? data = null)
    {
        if (data is not null && data.Length != channels * height * width)
            throw new ArgumentException($"{data.Length} values do not fill [{channels},{height},{width}]");
        C = channels;
        H = height;
        W = width;
        Data = data ?? new float[channels * height * width];
    }

    public int C { get; }
    public int H { get; }
    public int W { get; }
    public float[] Data { get; }

    public float this[int c, int y, int x]
    {
        get => Data[(c * H + y) * W + x];
        set => Data[(c * H + y) * W + x] = value;
    }

    public Blob Map(Func<float, float> f) => new(C, H, W, Array.ConvertAll(Data, v => f(v)));

    /// <summary>Applies <paramref name="f"/> to each value together with its channel index.</summary>
    public Blob MapPerChannel(Func<int, float, float> f)
    {
        var result = new Blob(C, H, W);
        for (var c = 0; c < C; c++)
        for (var i = 0; i < H * W; i++)
            result.Data[c * H * W + i] = f(c, Data[c * H * W + i]);
        return result;
    }

    public override string ToString() => $"[{C},{H},{W}]";
}
