using System.Runtime.InteropServices;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Tests.Support;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Synthetic;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Engine.Tests.Inference;

/// <summary>
/// The graph that takes and returns samples (<see cref="SessionPixels.Interleaved8Bit"/>/<see cref="SessionPixels.Interleaved16Bit"/>)
/// must give the very bytes of the host conversion (<see cref="PlanarPixels"/> around the float graph): the
/// farm's results may not change with where the conversion runs. Tiles are not square and come in a
/// batch of two, so a wrong transpose or batch stride shows; samples include both extremes, and
/// general-x4v3 overshoots 0..1, so the clamp is exercised.
/// </summary>
[Collection(ModelsCollection.Name)]
public class PixelGraphTests(ModelsFixture models)
{
    private const int Width = 20, Height = 14, Batch = 2;

    public static TheoryData<string, bool, int, int> Cases()
    {
        var data = new TheoryData<string, bool, int, int>();
        foreach (var model in new[] { "general-x4v3", NearestNeighbourModel.Id })
            foreach (var sixteen in new[] { false, true })
                foreach (var (inBands, outBands) in new[] { (3, 3), (1, 1), (1, 3) })
                    data.Add(model, sixteen, inBands, outBands);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Samples_converted_in_the_graph_equal_the_host_conversion(string model, bool sixteenBit, int inBands, int outBands)
    {
        var path = model == NearestNeighbourModel.Id
            ? Path.Combine(NearestNeighbourModel.WriteCatalog(Directory.CreateTempSubdirectory("nearest-").FullName), "onnx", $"{model}.onnx")
            : models.Catalog.OnnxPath(models.Catalog.Find(model));
        var bytesPerSample = sixteenBit ? 2 : 1;
        var random = new Random(inBands * 10 + outBands + (sixteenBit ? 100 : 0));
        var input = new byte[Batch * Width * Height * inBands * bytesPerSample];
        random.NextBytes(input);
        input.AsSpan(0, 6 * bytesPerSample).Fill(0);
        input.AsSpan(6 * bytesPerSample, 6 * bytesPerSample).Fill(255);

        using var floats = ModelSession.Create(path, new SessionSettings { Device = ExecutionDevice.Cpu });
        using var samples = ModelSession.Create(path, new SessionSettings
        {
            Device = ExecutionDevice.Cpu,
            Pixels = sixteenBit ? SessionPixels.Interleaved16Bit : SessionPixels.Interleaved8Bit,
        });
        Assert.Equal(sixteenBit ? SessionPixels.Interleaved16Bit : SessionPixels.Interleaved8Bit, samples.Pixels);
        Assert.Equal(floats.Scale, samples.Scale);

        var onDevice = samples.GetSampleBuffers(Batch, Height, Width, inBands, outBands);
        input.CopyTo(onDevice.Input);
        samples.Run(onDevice);

        var host = floats.GetBuffers(Batch, Height, Width);
        var imageBytes = input.Length / Batch;
        for (var i = 0; i < Batch; i++)
            PlanarPixels.Read(input.AsSpan(i * imageBytes, imageBytes), Width, Height, inBands, sixteenBit, host.InputImage(i));
        floats.Run(host);
        int outWidth = Width * floats.Scale, outHeight = Height * floats.Scale;
        var expected = new byte[onDevice.Output.Length];
        var actual = onDevice.Output.ToArray();
        for (var i = 0; i < Batch; i++)
        {
            var image = expected.AsSpan(i * onDevice.OutputImageLength, onDevice.OutputImageLength);
            var whole = new PixelRect(0, 0, outWidth, outHeight);
            if (sixteenBit)
                PlanarPixels.Write(host.OutputImage(i), outWidth, outHeight, whole, MemoryMarshal.Cast<byte, ushort>(image), outWidth, 0, 0, outBands, 65535f);
            else
                PlanarPixels.Write(host.OutputImage(i), outWidth, outHeight, whole, image, outWidth, 0, 0, outBands, 255f);
        }

        var differing = expected.Zip(actual).Count(p => p.First != p.Second);
        Assert.True(differing == 0, $"{differing} of {expected.Length} output bytes differ from the host conversion");
    }
}
