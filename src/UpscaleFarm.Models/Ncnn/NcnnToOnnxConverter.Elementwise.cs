using static UpscaleFarm.Models.Onnx.OnnxGraphBuilder;

namespace UpscaleFarm.Models.Ncnn;

// Activations and element-wise arithmetic: ReLU, PReLU, Clip, Eltwise, BinaryOp.
public sealed partial class NcnnToOnnxConverter
{
    private void Unary(NcnnLayer layer, string opType)
    {
        _graph.AddNode(opType, layer.Name, Inputs(layer), [Name(layer.Tops[0])]);
        SetChannels(layer.Tops[0], ChannelsOf(layer.Bottoms[0]));
    }

    private void ConvertReLU(NcnnLayer layer)
    {
        var slope = layer.Params.GetFloat(0, 0f);
        if (slope == 0f)
            Unary(layer, "Relu");
        else
        {
            _graph.AddNode("LeakyRelu", layer.Name, Inputs(layer), [Name(layer.Tops[0])], Float("alpha", slope));
            SetChannels(layer.Tops[0], ChannelsOf(layer.Bottoms[0]));
        }
    }

    private void ConvertPReLU(NcnnLayer layer)
    {
        var count = layer.Params.GetInt(0, 0);
        if (count <= 0)
            throw new ModelConversionException($"{layer}: num_slope must be positive");
        if (count > 1)
            ExpectChannels(layer, layer.Bottoms[0], count);
        var slope = _weights.ReadFloats(count, layer);
        // A [C,1,1] slope broadcasts over N,C,H,W per channel; a single slope is shared.
        var slopeName = count == 1 ? _graph.AddFloats($"{layer.Name}_slope", slope, 1) : _graph.AddFloats($"{layer.Name}_slope", slope, count, 1, 1);
        _graph.AddNode("PRelu", layer.Name, [Name(layer.Bottoms[0]), slopeName], [Name(layer.Tops[0])]);
        SetChannels(layer.Tops[0], ChannelsOf(layer.Bottoms[0]));
    }

    private void ConvertClip(NcnnLayer layer)
    {
        var min = _graph.AddConstant([layer.Params.GetFloat(0, float.MinValue)]);
        var max = _graph.AddConstant([layer.Params.GetFloat(1, float.MaxValue)]);
        _graph.AddNode("Clip", layer.Name, [Name(layer.Bottoms[0]), min, max], [Name(layer.Tops[0])]);
        SetChannels(layer.Tops[0], ChannelsOf(layer.Bottoms[0]));
    }

    private void ConvertEltwise(NcnnLayer layer)
    {
        // ncnn's default op_type is 0 (product), not sum.
        var op = layer.Params.GetInt(0, 0);
        var coeffs = layer.Params.GetFloats(1);
        var inputs = Inputs(layer).ToList();
        if (coeffs.Length != 0 && coeffs.Length != inputs.Count)
            throw new ModelConversionException($"{layer}: {coeffs.Length} coefficients for {inputs.Count} inputs");
        var top = Name(layer.Tops[0]);
        switch (op)
        {
            case 0:
                // ONNX Mul takes exactly two inputs (unlike Sum and Max): chain it for three or more.
                var product = inputs[0];
                for (var i = 1; i < inputs.Count; i++)
                {
                    var last = i == inputs.Count - 1;
                    var result = last ? top : $"{layer.Name}_product{i}";
                    _graph.AddNode("Mul", last ? layer.Name : $"{layer.Name}_mul{i}", [product, inputs[i]], [result]);
                    product = result;
                }
                break;
            case 2: _graph.AddNode("Max", layer.Name, inputs, [top]); break;
            case 1:
                // Sum with optional per-input coefficients: scale the inputs whose coefficient is not 1.
                var scaled = inputs.Select((input, i) =>
                {
                    if (coeffs.Length == 0 || coeffs[i] == 1f)
                        return input;
                    var product = $"{layer.Name}_scaled{i}";
                    _graph.AddNode("Mul", $"{layer.Name}_coeff{i}", [input, _graph.AddConstant([coeffs[i]])], [product]);
                    return product;
                }).ToList();
                _graph.AddNode("Sum", layer.Name, scaled, [top]);
                break;
            default:
                throw new ModelConversionException($"{layer}: Eltwise operation {op} is not supported");
        }
        SetChannels(layer.Tops[0], ChannelsOf(layer.Bottoms[0]));
    }

    private void ConvertBinaryOp(NcnnLayer layer)
    {
        var op = layer.Params.GetInt(0, 0);
        var withScalar = layer.Params.GetInt(1, 0) != 0;
        var a = Name(layer.Bottoms[0]);
        string b;
        if (withScalar)
            b = _graph.AddConstant([layer.Params.GetFloat(2, 0f)]);
        else if (layer.Bottoms.Count == 2)
            b = Name(layer.Bottoms[1]);
        else
            throw new ModelConversionException($"{layer}: BinaryOp needs two inputs or a scalar");

        // ncnn op codes: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 pow, 7 rsub, 8 rdiv, 9 rpow.
        var (opType, swap) = op switch
        {
            0 => ("Add", false), 1 => ("Sub", false), 2 => ("Mul", false), 3 => ("Div", false),
            4 => ("Max", false), 5 => ("Min", false), 6 => ("Pow", false),
            7 => ("Sub", true), 8 => ("Div", true), 9 => ("Pow", true),
            _ => throw new ModelConversionException($"{layer}: BinaryOp operation {op} is not supported"),
        };
        _graph.AddNode(opType, layer.Name, swap ? [b, a] : [a, b], [Name(layer.Tops[0])]);
        SetChannels(layer.Tops[0], Math.Max(ChannelsOf(layer.Bottoms[0]), withScalar ? -1 : ChannelsOf(layer.Bottoms[^1])));
    }
}
