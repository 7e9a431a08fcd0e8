using Google.Protobuf;
using UpscaleFarm.Models.Onnx.Proto;

namespace UpscaleFarm.Models.Onnx;

/// <summary>Builds an ONNX graph node by node; <see cref="Build"/> wraps it in a model.</summary>
public sealed class OnnxGraphBuilder
{
    public const int Opset = 17;
    private const long IrVersion = 8;
    private readonly GraphProto _graph = new() { Name = "upscalefarm" };
    private int _constantCount;

    /// <summary>Declares a float graph input or output; a null dimension is dynamic.</summary>
    public void AddInput(string name, params long?[] dims) => _graph.Input.Add(ValueInfo(name, dims));

    public void AddOutput(string name, params long?[] dims) => _graph.Output.Add(ValueInfo(name, dims));

    public void AddNode(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    /// <summary>Adds a float initializer and returns its name.</summary>
    public string AddFloats(string name, float[] values, params long[] dims)
    {
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"initializer {name}: {values.Length} values do not fill shape [{string.Join(",", dims)}]");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        tensor.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes) and returns its name.</summary>
    public string AddInt64s(string name, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A float constant with a generated name, for scalars and Resize scales.</summary>
    public string AddConstant(float[] values, params long[] dims) =>
        AddFloats($"const_{_constantCount++}", values, dims);

    public ModelProto Build(string producerVersion, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "upscalefarm",
            ProducerVersion = producerVersion,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, long?[] dims)
    {
        var shape = new TensorShapeProto();
        var axisNames = new[] { "N", "C", "H", "W" };
        for (var i = 0; i < dims.Length; i++)
        {
            shape.Dim.Add(dims[i] is { } d
                ? new TensorShapeProto.Types.Dimension { DimValue = d }
                : new TensorShapeProto.Types.Dimension { DimParam = i < axisNames.Length ? axisNames[i] : $"d{i}" });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
