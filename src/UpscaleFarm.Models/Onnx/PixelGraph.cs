using Google.Protobuf;
using UpscaleFarm.Models.Onnx.Proto;

namespace UpscaleFarm.Models.Onnx;

/// <summary>
/// Wraps a float super-resolution graph (NCHW, values 0..1) so that it takes and returns interleaved
/// 8- or 16-bit samples, as tiles travel: the conversion to float, the clamp, ×max, rounding and the
/// cast back run inside the graph, so on a GPU they run on the device and host↔device copies carry
/// samples, a quarter (8-bit) or half (16-bit) of the float bytes.
/// <para>
/// Input <see cref="InputName"/>: [N, H, W, C] with C = 1 (gray, read into all three planes) or 3.
/// Outputs <see cref="ColorOutput"/> [N, H×s, W×s, 3] and <see cref="LumaOutput"/> [N, H×s, W×s, 1]
/// (BT.601 luma, as OpenCV's RGB2GRAY). The operations and their order are those of the host
/// conversion (<c>PlanarPixels</c>): sample × (1/max); clamp to 0..1, × max, round half to even; luma
/// as (0.299 r + 0.587 g) + 0.114 b of the clamped planes, clamped again. Float multiplication and
/// addition are exact IEEE operations on both sides, so the bytes are identical.
/// </para>
/// </summary>
public static class PixelGraph
{
    public const string InputName = "pixels";
    public const string ColorOutput = "rgb";
    public const string LumaOutput = "luma";
    private const string Prefix = "upscalefarm_pixels_";

    // Round and Clip's min/max inputs arrived in opset 11.
    private const long MinimumOpset = 11;

    /// <summary>The wrapped model's bytes, or null when the graph is not a one-input, one-output model at opset 11 or later.</summary>
    public static byte[]? TryWrap(byte[] model, bool sixteenBit)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var opset = proto.OpsetImport.FirstOrDefault(o => o.Domain == "")?.Version ?? 0;
        if (graph.Input.Count != 1 || graph.Output.Count != 1 || opset < MinimumOpset)
            return null;
        var input = graph.Input[0].Name;
        var output = graph.Output[0].Name;
        var sample = sixteenBit ? TensorProto.Types.DataType.Uint16 : TensorProto.Types.DataType.Uint8;
        var max = sixteenBit ? 65535f : 255f;
        var inner = new List<NodeProto>();
        var outer = new List<NodeProto>();

        // In: samples → floats in 0..1 → three planes, written to the model's own input name.
        inner.Add(Node("Cast", [InputName], [P("in_float")], OnnxGraphBuilder.Int("to", (long)TensorProto.Types.DataType.Float)));
        inner.Add(Node("Mul", [P("in_float"), Scalar(graph, "inverse_max", 1f / max)], [P("in_unit")]));
        inner.Add(Node("Expand", [P("in_unit"), Int64s(graph, "three_bands", [1, 1, 1, 3])], [P("in_rgb")]));
        inner.Add(Node("Transpose", [P("in_rgb")], [input], OnnxGraphBuilder.Ints("perm", 0, 3, 1, 2)));

        // Out, from the model's own output: clamp once, then the colour and luma branches.
        var zero = Scalar(graph, "zero", 0f);
        var one = Scalar(graph, "one", 1f);
        var scale = Scalar(graph, "max", max);
        outer.Add(Node("Clip", [output, zero, one], [P("clamped")]));
        Quantize(outer, P("clamped"), P("rgb_samples"), scale, sample);
        outer.Add(Node("Transpose", [P("rgb_samples")], [ColorOutput], OnnxGraphBuilder.Ints("perm", 0, 2, 3, 1)));

        var split = Node("Split", [P("clamped")], [P("r"), P("g"), P("b")], OnnxGraphBuilder.Int("axis", 1));
        if (opset >= 18)
            split.Attribute.Add(OnnxGraphBuilder.Int("num_outputs", 3));
        outer.Add(split);
        outer.Add(Node("Mul", [P("r"), Scalar(graph, "weight_r", 0.299f)], [P("wr")]));
        outer.Add(Node("Mul", [P("g"), Scalar(graph, "weight_g", 0.587f)], [P("wg")]));
        outer.Add(Node("Mul", [P("b"), Scalar(graph, "weight_b", 0.114f)], [P("wb")]));
        outer.Add(Node("Add", [P("wr"), P("wg")], [P("wrg")]));
        outer.Add(Node("Add", [P("wrg"), P("wb")], [P("luma_float")]));
        outer.Add(Node("Clip", [P("luma_float"), zero, one], [P("luma_clamped")]));
        Quantize(outer, P("luma_clamped"), P("luma_samples"), scale, sample);
        outer.Add(Node("Transpose", [P("luma_samples")], [LumaOutput], OnnxGraphBuilder.Ints("perm", 0, 2, 3, 1)));

        // Nodes stay in topological order: the input conversion first, the model, then the outputs.
        for (var i = inner.Count - 1; i >= 0; i--)
            graph.Node.Insert(0, inner[i]);
        graph.Node.AddRange(outer);
        graph.Input.Clear();
        graph.Input.Add(Value(InputName, sample, "N", "H", "W", "C"));
        graph.Output.Clear();
        graph.Output.Add(Value(ColorOutput, sample, "N", "OH", "OW", 3));
        graph.Output.Add(Value(LumaOutput, sample, "N", "OH", "OW", 1));
        return proto.ToByteArray();
    }

    /// <summary>× max, round half to even (ONNX Round, as MathF.Round), cast to the sample type.</summary>
    private static void Quantize(List<NodeProto> nodes, string from, string to, string scale, TensorProto.Types.DataType sample)
    {
        nodes.Add(Node("Mul", [from, scale], [to + "_scaled"]));
        nodes.Add(Node("Round", [to + "_scaled"], [to + "_rounded"]));
        nodes.Add(Node("Cast", [to + "_rounded"], [to], OnnxGraphBuilder.Int("to", (long)sample)));
    }

    private static string P(string name) => Prefix + name;

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = outputs[0].StartsWith(Prefix) ? outputs[0] : Prefix + outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static string Scalar(GraphProto graph, string name, float value)
    {
        var tensor = new TensorProto { Name = Prefix + name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value));
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static string Int64s(GraphProto graph, string name, long[] values)
    {
        var tensor = new TensorProto { Name = Prefix + name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is int d
                ? new TensorShapeProto.Types.Dimension { DimValue = d }
                : new TensorShapeProto.Types.Dimension { DimParam = (string)dim });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
