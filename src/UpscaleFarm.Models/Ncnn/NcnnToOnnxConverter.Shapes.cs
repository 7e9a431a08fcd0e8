using static UpscaleFarm.Models.Onnx.OnnxGraphBuilder;

namespace UpscaleFarm.Models.Ncnn;

// Layers that move pixels: Concat, Interp (resize) and PixelShuffle.
public sealed partial class NcnnToOnnxConverter
{
    private void ConvertConcat(NcnnLayer layer)
    {
        // ncnn axes count over [C,H,W]; ONNX adds the batch axis in front.
        var axis = layer.Params.GetInt(0, 0);
        _graph.AddNode("Concat", layer.Name, Inputs(layer), [Name(layer.Tops[0])], Int("axis", axis >= 0 ? axis + 1 : axis));
        var channels = layer.Bottoms.Select(ChannelsOf).ToList();
        SetChannels(layer.Tops[0], axis is 0 or -3 && channels.All(c => c > 0) ? channels.Sum() : axis is 0 or -3 ? -1 : channels[0]);
    }

    private void ConvertInterp(NcnnLayer layer)
    {
        var p = layer.Params;
        var type = p.GetInt(0, 0);
        var scaleH = p.GetFloat(1, 1f);
        var scaleW = p.GetFloat(2, 1f);
        var alignCorners = p.GetInt(6, 0) != 0;
        if (p.GetInt(3, 0) != 0 || p.GetInt(4, 0) != 0 || p.GetInt(5, 0) != 0 || layer.Bottoms.Count != 1)
            throw new ModelConversionException($"{layer}: Interp to a fixed or dynamic output size is not supported, only scale factors");

        // ncnn: nearest samples floor(dst / scale); bilinear and bicubic (A = -0.75) use pixel centres unless align_corner.
        var attributes = type switch
        {
            1 => [String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor")],
            2 => [String("mode", "linear"), String("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel")],
            3 => new[] { String("mode", "cubic"), Float("cubic_coeff_a", -0.75f), String("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel") },
            _ => throw new ModelConversionException($"{layer}: Interp resize type {type} is not supported"),
        };
        var scales = _graph.AddConstant([1f, 1f, scaleH, scaleW], 4);
        if (type is 2 or 3 && !alignCorners && !(IsWholeNumber(scaleH) && IsWholeNumber(scaleW)))
        {
            // ncnn's bilinear and bicubic step through the source by in/out, ONNX's by 1/scale; the two
            // differ when size * scale is fractional. ONNX steps by in/out when given the output size,
            // so compute that size as ncnn does, (int)(size * scale), from the input's shape.
            var input = Name(layer.Bottoms[0]);
            string shape = $"{layer.Name}_shape", shapeF = $"{layer.Name}_shape_f", scaled = $"{layer.Name}_scaled",
                floored = $"{layer.Name}_floored", sizes = $"{layer.Name}_sizes";
            _graph.AddNode("Shape", shape, [input], [shape]);
            _graph.AddNode("Cast", shapeF, [shape], [shapeF], Int("to", (int)Onnx.Proto.TensorProto.Types.DataType.Float));
            _graph.AddNode("Mul", scaled, [shapeF, scales], [scaled]);
            _graph.AddNode("Floor", floored, [scaled], [floored]);
            _graph.AddNode("Cast", sizes, [floored], [sizes], Int("to", (int)Onnx.Proto.TensorProto.Types.DataType.Int64));
            _graph.AddNode("Resize", layer.Name, [input, "", "", sizes], [Name(layer.Tops[0])], attributes);
        }
        else
        {
            _graph.AddNode("Resize", layer.Name, [Name(layer.Bottoms[0]), "", scales], [Name(layer.Tops[0])], attributes);
        }
        SetChannels(layer.Tops[0], ChannelsOf(layer.Bottoms[0]));
    }

    private static bool IsWholeNumber(float value) => value == MathF.Floor(value);

    private void ConvertPixelShuffle(NcnnLayer layer)
    {
        var factor = layer.Params.GetInt(0, 1);
        var mode = layer.Params.GetInt(1, 0);
        if (factor < 1 || mode is not (0 or 1))
            throw new ModelConversionException($"{layer}: PixelShuffle factor {factor} mode {mode} is not supported");
        // ncnn mode 0 is PyTorch's pixel_shuffle (ONNX CRD); mode 1 is the TensorFlow order (ONNX DCR).
        _graph.AddNode("DepthToSpace", layer.Name, Inputs(layer), [Name(layer.Tops[0])],
            Int("blocksize", factor), String("mode", mode == 0 ? "CRD" : "DCR"));
        var c = ChannelsOf(layer.Bottoms[0]);
        SetChannels(layer.Tops[0], c > 0 ? c / (factor * factor) : -1);
    }
}
