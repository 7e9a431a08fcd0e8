using UpscaleFarm.Models.Ncnn;
using UpscaleFarm.Models.Onnx.Proto;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Models.Tests.Support;

/// <summary>Saves a test network to a temp folder, converts it to ONNX and (optionally) runs it.</summary>
public static class ConvertedNetwork
{
    public static ModelProto Convert(NcnnModelWriter network)
    {
        using var folder = new TempDirectory();
        var (param, bin) = network.Save(folder.Path);
        return NcnnToOnnxConverter.Convert(param, bin);
    }

    public static Blob Run(NcnnModelWriter network, Blob input) => OnnxCpuRunner.Run(Convert(network), input);
}
