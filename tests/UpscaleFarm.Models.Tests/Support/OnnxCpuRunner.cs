using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using UpscaleFarm.Models.Ncnn;
using UpscaleFarm.Models.Onnx.Proto;

namespace UpscaleFarm.Models.Tests.Support;

/// <summary>Runs a converted model on ONNX Runtime's CPU provider with one [1,C,H,W] input.</summary>
public static class OnnxCpuRunner
{
    public static Blob Run(ModelProto model, Blob input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var value = OrtValue.CreateTensorValueFromMemory(input.Data, [1, input.C, input.H, input.W]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [NcnnToOnnxConverter.InputName], [value], [NcnnToOnnxConverter.OutputName]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        Assert.Equal(4, shape.Length);
        Assert.Equal(1, shape[0]);
        return new Blob((int)shape[1], (int)shape[2], (int)shape[3], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }
}
