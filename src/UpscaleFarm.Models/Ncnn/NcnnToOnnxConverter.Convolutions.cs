using static UpscaleFarm.Models.Onnx.OnnxGraphBuilder;

namespace UpscaleFarm.Models.Ncnn;

// Convolution, ConvolutionDepthWise, Deconvolution and DeconvolutionDepthWise, with their fused activations.
public sealed partial class NcnnToOnnxConverter
{
    private const int PadSameUpper = -233;
    private const int PadSameLower = -234;

    private sealed record ConvShape(int Outputs, int KernelW, int KernelH, int DilationW, int DilationH, int StrideW, int StrideH,
        int PadLeft, int PadTop, int PadRight, int PadBottom, int Group, int WeightCount)
    {
        public int KernelArea => KernelW * KernelH;

        public static ConvShape Read(NcnnLayer layer, bool grouped)
        {
            var p = layer.Params;
            var kw = p.GetInt(1, 0);
            var dw = p.GetInt(2, 1);
            var sw = p.GetInt(3, 1);
            var pl = p.GetInt(4, 0);
            var pt = p.GetInt(14, pl);
            var shape = new ConvShape(p.GetInt(0, 0), kw, p.GetInt(11, kw), dw, p.GetInt(12, dw), sw, p.GetInt(13, sw),
                pl, pt, p.GetInt(15, pl), p.GetInt(16, pt), grouped ? p.GetInt(7, 1) : 1, p.GetInt(6, 0));
            if (shape.Outputs <= 0 || shape.KernelArea <= 0 || shape.Group <= 0 || shape.WeightCount <= 0)
                throw new ModelConversionException($"{layer}: invalid convolution parameters");
            if (shape.WeightCount % (shape.Outputs / shape.Group * shape.KernelArea) != 0)
                throw new ModelConversionException($"{layer}: weight_data_size {shape.WeightCount} does not fit {shape.Outputs} outputs of {shape.KernelW}x{shape.KernelH}");
            return shape;
        }

        /// <summary>Input channels, derived from the weight count as ncnn does.</summary>
        public int Inputs => WeightCount / (Outputs / Group) / KernelArea;
    }

    private void ConvertConvolution(NcnnLayer layer, bool depthwise)
    {
        var s = ConvShape.Read(layer, depthwise);
        RefuseUnsupported(layer, intScaleKey: 8);
        if (layer.Params.GetFloat(18, 0f) != 0f)
            throw new ModelConversionException($"{layer}: convolution with a non-zero pad_value is not supported");
        ExpectChannels(layer, layer.Bottoms[0], s.Inputs);

        var weight = _weights.ReadTagged(s.WeightCount, layer);
        var inputs = new List<string> { Name(layer.Bottoms[0]), _graph.AddFloats($"{layer.Name}_W", weight, s.Outputs, s.Inputs / s.Group, s.KernelH, s.KernelW) };
        if (layer.Params.GetInt(5, 0) != 0)
            inputs.Add(_graph.AddFloats($"{layer.Name}_B", _weights.ReadFloats(s.Outputs, layer), s.Outputs));

        var attributes = new List<Onnx.Proto.AttributeProto>
        {
            Ints("kernel_shape", s.KernelH, s.KernelW),
            Ints("strides", s.StrideH, s.StrideW),
            Ints("dilations", s.DilationH, s.DilationW),
            Int("group", s.Group),
        };
        attributes.Add(s.PadLeft switch
        {
            PadSameUpper => String("auto_pad", "SAME_UPPER"),
            PadSameLower => String("auto_pad", "SAME_LOWER"),
            < 0 => throw new ModelConversionException($"{layer}: padding mode {s.PadLeft} is not supported"),
            _ => Ints("pads", s.PadTop, s.PadLeft, s.PadBottom, s.PadRight),
        });

        EmitWithActivation(layer, "Conv", inputs, attributes);
        SetChannels(layer.Tops[0], s.Outputs);
    }

    private void ConvertDeconvolution(NcnnLayer layer, bool depthwise)
    {
        var s = ConvShape.Read(layer, depthwise);
        RefuseUnsupported(layer, intScaleKey: -1);
        if (s.PadLeft < 0 || layer.Params.GetInt(20, 0) != 0 || layer.Params.GetInt(21, 0) != 0)
            throw new ModelConversionException($"{layer}: deconvolution with automatic padding or a fixed output size is not supported");
        ExpectChannels(layer, layer.Bottoms[0], s.Inputs);

        // ncnn stores [group][out/group][in/group][kh][kw]; ONNX ConvTranspose wants [in][out/group][kh][kw].
        var ncnnWeight = _weights.ReadTagged(s.WeightCount, layer);
        int inPerGroup = s.Inputs / s.Group, outPerGroup = s.Outputs / s.Group, k = s.KernelArea;
        var weight = new float[ncnnWeight.Length];
        for (var g = 0; g < s.Group; g++)
        for (var o = 0; o < outPerGroup; o++)
        for (var i = 0; i < inPerGroup; i++)
            Array.Copy(ncnnWeight, ((g * outPerGroup + o) * inPerGroup + i) * k, weight, ((g * inPerGroup + i) * outPerGroup + o) * k, k);

        var inputs = new List<string> { Name(layer.Bottoms[0]), _graph.AddFloats($"{layer.Name}_W", weight, s.Inputs, outPerGroup, s.KernelH, s.KernelW) };
        if (layer.Params.GetInt(5, 0) != 0)
            inputs.Add(_graph.AddFloats($"{layer.Name}_B", _weights.ReadFloats(s.Outputs, layer), s.Outputs));

        // ncnn: output_pad_right (18) defaults to 0 and output_pad_bottom (19) to output_pad_right.
        var outputPadRight = layer.Params.GetInt(18, 0);
        var outputPadBottom = layer.Params.GetInt(19, outputPadRight);
        var attributes = new List<Onnx.Proto.AttributeProto>
        {
            Ints("kernel_shape", s.KernelH, s.KernelW),
            Ints("strides", s.StrideH, s.StrideW),
            Ints("dilations", s.DilationH, s.DilationW),
            Int("group", s.Group),
            Ints("pads", s.PadTop, s.PadLeft, s.PadBottom, s.PadRight),
            Ints("output_padding", outputPadBottom, outputPadRight),
        };
        EmitWithActivation(layer, "ConvTranspose", inputs, attributes);
        SetChannels(layer.Tops[0], s.Outputs);
    }

    private static void RefuseUnsupported(NcnnLayer layer, int intScaleKey)
    {
        if (intScaleKey >= 0 && layer.Params.GetInt(intScaleKey, 0) != 0)
            throw new ModelConversionException($"{layer}: int8-quantized convolutions are not supported");
        if (layer.Params.GetInt(19, 0) != 0 && layer.Type.StartsWith("Convolution", StringComparison.Ordinal))
            throw new ModelConversionException($"{layer}: convolutions with dynamic weights are not supported");
    }

    /// <summary>Emits the operator, then ncnn's fused activation (param 9, arguments in param 10) if any.</summary>
    private void EmitWithActivation(NcnnLayer layer, string opType, List<string> inputs, List<Onnx.Proto.AttributeProto> attributes)
    {
        var activation = layer.Params.GetInt(9, 0);
        var args = layer.Params.GetFloats(10);
        var top = Name(layer.Tops[0]);
        var raw = activation == 0 ? top : $"{layer.Name}_linear";
        _graph.AddNode(opType, layer.Name, inputs, [raw], [.. attributes]);
        switch (activation)
        {
            case 0: break;
            case 1: _graph.AddNode("Relu", $"{layer.Name}_relu", [raw], [top]); break;
            case 2:
                _graph.AddNode("LeakyRelu", $"{layer.Name}_leakyrelu", [raw], [top], Float("alpha", Arg(layer, args, 0))); break;
            case 3:
                _graph.AddNode("Clip", $"{layer.Name}_clip", [raw, _graph.AddConstant([Arg(layer, args, 0)]), _graph.AddConstant([Arg(layer, args, 1)])], [top]); break;
            case 4: _graph.AddNode("Sigmoid", $"{layer.Name}_sigmoid", [raw], [top]); break;
            case 5: _graph.AddNode("Mish", $"{layer.Name}_mish", [raw], [top]); break;
            case 6:
                // ncnn hardswish: x * clip(alpha * x + beta, 0, 1) = x * HardSigmoid(x).
                var gate = $"{layer.Name}_gate";
                _graph.AddNode("HardSigmoid", $"{layer.Name}_hardsigmoid", [raw], [gate],
                    Float("alpha", Arg(layer, args, 0)), Float("beta", Arg(layer, args, 1)));
                _graph.AddNode("Mul", $"{layer.Name}_hardswish", [raw, gate], [top]);
                break;
            default:
                throw new ModelConversionException($"{layer}: fused activation type {activation} is not supported");
        }
    }

    private static float Arg(NcnnLayer layer, float[] args, int index) =>
        index < args.Length ? args[index] : throw new ModelConversionException($"{layer}: its activation is missing parameter {index}");
}
