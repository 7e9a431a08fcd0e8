using Google.Protobuf;
using UpscaleFarm.Models.Onnx.Proto;

namespace UpscaleFarm.Models.Onnx;

/// <summary>
/// Makes a half-precision copy of a float graph for CUDA: weights and constants become fp16, a Cast
/// follows the input and precedes the output, so callers still exchange fp32 tensors.
/// </summary>
public static class Float16Graph
{
    // Operators whose fp16 kernels exist on CUDA and whose float inputs all follow the data type.
    private static readonly HashSet<string> SupportedOps =
    [
        "Conv", "ConvTranspose", "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip", "Mish", "HardSigmoid",
        "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum", "Concat", "Resize", "DepthToSpace",
    ];

    /// <summary>The fp16 model's bytes, or null when the graph uses operators this conversion does not cover.</summary>
    public static byte[]? TryConvert(byte[] model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        if (graph.Input.Count != 1 || graph.Output.Count != 1 || graph.Node.Any(n => !SupportedOps.Contains(n.OpType) || n.Domain != ""))
            return null;
        if (graph.Initializer.Any(t => t.DataType != (int)TensorProto.Types.DataType.Float))
            return null;

        // Resize's roi and scales inputs stay fp32 by definition.
        var keepFloat = graph.Node.Where(n => n.OpType == "Resize").SelectMany(n => n.Input.Skip(1)).ToHashSet();
        foreach (var tensor in graph.Initializer.Where(t => !keepFloat.Contains(t.Name)))
            ToHalf(tensor);

        var input = graph.Input[0].Name;
        var output = graph.Output[0].Name;
        var halfInput = input + "_fp16";
        var halfOutput = output + "_fp16";
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == input)
                    node.Input[i] = halfInput;
            for (var i = 0; i < node.Output.Count; i++)
                if (node.Output[i] == output)
                    node.Output[i] = halfOutput;
        }
        graph.Node.Insert(0, Cast(input, halfInput, TensorProto.Types.DataType.Float16));
        graph.Node.Add(Cast(halfOutput, output, TensorProto.Types.DataType.Float));
        return proto.ToByteArray();
    }

    private static NodeProto Cast(string from, string to, TensorProto.Types.DataType type)
    {
        var node = new NodeProto { OpType = "Cast", Name = $"cast_{to}" };
        node.Input.Add(from);
        node.Output.Add(to);
        node.Attribute.Add(OnnxGraphBuilder.Int("to", (long)type));
        return node;
    }

    private static void ToHalf(TensorProto tensor)
    {
        float[] values;
        if (!tensor.RawData.IsEmpty)
        {
            values = new float[tensor.RawData.Length / 4];
            Buffer.BlockCopy(tensor.RawData.ToByteArray(), 0, values, 0, tensor.RawData.Length);
        }
        else
        {
            values = tensor.FloatData.ToArray();
        }
        var half = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
            BitConverter.TryWriteBytes(half.AsSpan(i * 2), (Half)values[i]);
        tensor.FloatData.Clear();
        tensor.RawData = ByteString.CopyFrom(half);
        tensor.DataType = (int)TensorProto.Types.DataType.Float16;
    }
}
