using UpscaleFarm.Models.Onnx;
using UpscaleFarm.Models.Onnx.Proto;

namespace UpscaleFarm.Models.Ncnn;

/// <summary>
/// Converts an ncnn network (.param + .bin) into an ONNX model with one input "input" [N,C,H,W]
/// and one output "output", both with dynamic batch, height and width. Layers are translated one
/// by one into ONNX operators (see the partial files per layer family); anything without a faithful
/// translation is refused with the layer's name and type.
/// </summary>
public sealed partial class NcnnToOnnxConverter
{
    public const string InputName = "input";
    public const string OutputName = "output";

    private readonly OnnxGraphBuilder _graph = new();
    private readonly NcnnWeightReader _weights;
    private readonly Dictionary<string, string> _aliases = new();
    private readonly Dictionary<string, int> _channels = new();
    private string _inputBlob = "";
    private string _outputBlob = "";
    private int _inputChannels = -1;

    private NcnnToOnnxConverter(NcnnWeightReader weights) => _weights = weights;

    /// <summary>Converts the pair of files; throws <see cref="ModelConversionException"/> with a reason.</summary>
    public static ModelProto Convert(string paramPath, string binPath, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layers = NcnnParamFile.Read(paramPath);
        using var stream = File.OpenRead(binPath);
        using var reader = new NcnnWeightReader(stream);
        var converter = new NcnnToOnnxConverter(reader);
        var model = converter.ConvertLayers(layers, metadata);
        if (reader.Remaining != 0)
            throw new ModelConversionException($"{Path.GetFileName(binPath)} has {reader.Remaining} bytes left after the last layer: it does not match {Path.GetFileName(paramPath)}");
        return model;
    }

    private ModelProto ConvertLayers(IReadOnlyList<NcnnLayer> layers, IReadOnlyDictionary<string, string>? metadata)
    {
        _outputBlob = FindOutputBlob(layers);
        foreach (var layer in layers)
        {
            try
            {
                ConvertLayer(layer);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
            {
                throw new ModelConversionException($"{layer}: {e.Message}");
            }
        }
        if (_inputBlob == "")
            throw new ModelConversionException("the network has no Input layer");
        if (_inputChannels <= 0)
            throw new ModelConversionException("the number of input channels cannot be determined (no convolution reads the input)");

        _graph.AddInput(InputName, null, _inputChannels, null, null);
        _graph.AddOutput(OutputName, null, ChannelsOf(_outputBlob) is > 0 and var c ? c : null, null, null);
        return _graph.Build(typeof(NcnnToOnnxConverter).Assembly.GetName().Version?.ToString() ?? "0", metadata);
    }

    private void ConvertLayer(NcnnLayer layer)
    {
        switch (layer.Type)
        {
            case "Input":
                _inputBlob = layer.Tops[0];
                _inputChannels = layer.Params.GetInt(2, -1);
                _channels[_inputBlob] = _inputChannels;
                break;
            case "Split":
            case "Noop":
            case "Dropout":
                foreach (var top in layer.Tops)
                    Alias(top, layer.Bottoms[0]);
                break;
            case "Convolution": ConvertConvolution(layer, depthwise: false); break;
            case "ConvolutionDepthWise": ConvertConvolution(layer, depthwise: true); break;
            case "Deconvolution": ConvertDeconvolution(layer, depthwise: false); break;
            case "DeconvolutionDepthWise": ConvertDeconvolution(layer, depthwise: true); break;
            case "ReLU": ConvertReLU(layer); break;
            case "PReLU": ConvertPReLU(layer); break;
            case "Sigmoid": Unary(layer, "Sigmoid"); break;
            case "TanH": Unary(layer, "Tanh"); break;
            case "Clip": ConvertClip(layer); break;
            case "Eltwise": ConvertEltwise(layer); break;
            case "BinaryOp": ConvertBinaryOp(layer); break;
            case "Concat": ConvertConcat(layer); break;
            case "Interp": ConvertInterp(layer); break;
            case "PixelShuffle": ConvertPixelShuffle(layer); break;
            default:
                throw new ModelConversionException($"{layer}: layer type '{layer.Type}' is not supported by the converter");
        }
    }

    /// <summary>The one blob that is written and never read: the network's result.</summary>
    private static string FindOutputBlob(IReadOnlyList<NcnnLayer> layers)
    {
        var read = layers.SelectMany(l => l.Bottoms).ToHashSet();
        var results = layers.SelectMany(l => l.Tops).Where(t => !read.Contains(t)).Distinct().ToList();
        return results.Count == 1
            ? results[0]
            : throw new ModelConversionException($"the network must have exactly one output blob, found {results.Count} ({string.Join(", ", results.Take(5))})");
    }

    private void Alias(string top, string bottom) => _aliases[top] = Resolve(bottom);

    private string Resolve(string blob) => _aliases.TryGetValue(blob, out var target) ? target : blob;

    /// <summary>The ONNX value name for an ncnn blob, read or written.</summary>
    private string Name(string blob)
    {
        blob = Resolve(blob);
        return blob == _inputBlob ? InputName : blob == _outputBlob ? OutputName : blob;
    }

    private IEnumerable<string> Inputs(NcnnLayer layer) => layer.Bottoms.Select(Name);

    private int ChannelsOf(string blob) => _channels.TryGetValue(Resolve(blob), out var c) ? c : -1;

    private void SetChannels(string blob, int channels) => _channels[Resolve(blob)] = channels;

    /// <summary>Records the channel count a layer reads; learns it for the network input.</summary>
    private void ExpectChannels(NcnnLayer layer, string blob, int channels)
    {
        var known = ChannelsOf(blob);
        if (known < 0 && Resolve(blob) == _inputBlob)
        {
            _inputChannels = channels;
            SetChannels(blob, channels);
        }
        else if (known >= 0 && known != channels)
        {
            throw new ModelConversionException($"{layer}: its weights expect {channels} input channels but blob '{blob}' has {known}");
        }
    }
}
