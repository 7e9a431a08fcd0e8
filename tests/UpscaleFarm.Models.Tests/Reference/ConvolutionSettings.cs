using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>
/// The parameters ncnn's Convolution, ConvolutionDepthWise, Deconvolution and DeconvolutionDepthWise
/// share. One record feeds both the .param line and the reference, so a test states its case once.
/// </summary>
public sealed record ConvolutionSettings
{
    /// <summary>ncnn's pad value for TensorFlow/ONNX SAME_UPPER padding.</summary>
    public const int SameUpper = -233;

    public required int Outputs { get; init; }
    public int KernelW { get; init; } = 3;
    public int KernelH { get; init; } = 3;
    public int DilationW { get; init; } = 1;
    public int DilationH { get; init; } = 1;
    public int StrideW { get; init; } = 1;
    public int StrideH { get; init; } = 1;
    public int PadLeft { get; init; }
    public int PadTop { get; init; }
    public int PadRight { get; init; }
    public int PadBottom { get; init; }

    /// <summary>The same padding on all four sides.</summary>
    public int Pad { init => PadLeft = PadTop = PadRight = PadBottom = value; }
    public int Group { get; init; } = 1;
    public bool Bias { get; init; }

    /// <summary>ncnn's fused activation (param 9): 0 none, 1 relu, 2 leakyrelu, 3 clip, 4 sigmoid.</summary>
    public int Activation { get; init; }

    /// <summary>The activation's arguments (array param -23310): the slope, or min and max.</summary>
    public float[] ActivationArgs { get; init; } = [];

    /// <summary>Deconvolution only: extra output columns on the right (param 18) and rows at the bottom (19).</summary>
    public int OutputPadRight { get; init; }
    public int OutputPadBottom { get; init; }

    /// <summary>
    /// Deconvolution only: when false, param 19 is left out of the .param line so ncnn's default
    /// (output_pad_bottom = output_pad_right) applies.
    /// </summary>
    public bool WriteOutputPadBottom { get; init; } = true;

    public int KernelArea => KernelW * KernelH;

    public int WeightCount(int inputs) => Outputs * (inputs / Group) * KernelArea;

    /// <summary>
    /// The layer's parameters as ncnn's exporters write them: only values that differ from ncnn's
    /// defaults (kernel_h = kernel_w, pad_top = pad_left, pad_right = pad_left, pad_bottom = pad_top, ...),
    /// so the converter's defaults are exercised too.
    /// </summary>
    public string ToNcnnParams(int inputs, bool grouped)
    {
        var p = new List<string> { $"0={Outputs}", $"1={KernelW}" };
        if (KernelH != KernelW) p.Add($"11={KernelH}");
        if (DilationW != 1) p.Add($"2={DilationW}");
        if (DilationH != DilationW) p.Add($"12={DilationH}");
        if (StrideW != 1) p.Add($"3={StrideW}");
        if (StrideH != StrideW) p.Add($"13={StrideH}");
        if (PadLeft != 0) p.Add($"4={PadLeft}");
        if (PadTop != PadLeft) p.Add($"14={PadTop}");
        if (PadRight != PadLeft) p.Add($"15={PadRight}");
        if (PadBottom != PadTop) p.Add($"16={PadBottom}");
        if (Bias) p.Add("5=1");
        p.Add($"6={WeightCount(inputs)}");
        if (grouped) p.Add($"7={Group}");
        if (Activation != 0) p.Add($"9={Activation}");
        if (ActivationArgs.Length != 0) p.Add(NcnnModelWriter.FloatArray(10, ActivationArgs));
        if (OutputPadRight != 0) p.Add($"18={OutputPadRight}");
        if (WriteOutputPadBottom && OutputPadBottom != OutputPadRight) p.Add($"19={OutputPadBottom}");
        return string.Join(' ', p);
    }
}
