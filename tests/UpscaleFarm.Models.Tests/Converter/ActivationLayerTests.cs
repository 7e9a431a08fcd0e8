using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>ReLU, leaky ReLU, PReLU, Sigmoid, TanH and Clip as standalone layers (Input declares 2=C: no convolution reads it).</summary>
public class ActivationLayerTests
{
    private const int Channels = 4;

    private static Blob Input(int seed) => RandomValues.Blob(Channels, 5, 7, seed, min: -3f, max: 3f);

    private static Blob RunSingleLayer(string type, string parameters, Blob input, float[]? weights = null)
    {
        var network = new NcnnModelWriter().Input(channels: Channels).Layer(type, "act", ["data"], ["out"], parameters);
        if (weights is not null)
            network.RawFloats(weights);
        return ConvertedNetwork.Run(network, input);
    }

    [Fact]
    public void ReLU()
    {
        var input = Input(600);
        BlobAssert.Close(input.Map(x => ReferenceActivation.ReLU(x)), RunSingleLayer("ReLU", "", input));
    }

    [Fact]
    public void ReLUWithSlopeIsLeaky()
    {
        var input = Input(601);
        BlobAssert.Close(input.Map(x => ReferenceActivation.ReLU(x, 0.1f)), RunSingleLayer("ReLU", "0=" + NcnnModelWriter.Float(0.1f), input));
    }

    [Fact]
    public void Sigmoid()
    {
        var input = Input(602);
        BlobAssert.Close(input.Map(ReferenceActivation.Sigmoid), RunSingleLayer("Sigmoid", "", input));
    }

    [Fact]
    public void TanH()
    {
        var input = Input(603);
        BlobAssert.Close(input.Map(ReferenceActivation.TanH), RunSingleLayer("TanH", "", input));
    }

    [Fact]
    public void Clip()
    {
        var input = Input(604);
        var parameters = $"0={NcnnModelWriter.Float(-0.3f)} 1={NcnnModelWriter.Float(0.6f)}";
        BlobAssert.Close(input.Map(x => ReferenceActivation.Clip(x, -0.3f, 0.6f)), RunSingleLayer("Clip", parameters, input));
    }

    [Fact]
    public void PReLUWithOneSlopePerChannel()
    {
        var input = Input(605);
        var slopes = RandomValues.Floats(Channels, seed: 606, min: -0.5f, max: 0.9f);
        BlobAssert.Close(ReferenceActivation.PReLU(input, slopes), RunSingleLayer("PReLU", $"0={Channels}", input, slopes));
    }

    [Fact]
    public void PReLUWithOneSharedSlope()
    {
        var input = Input(607);
        float[] slope = [0.25f];
        BlobAssert.Close(ReferenceActivation.PReLU(input, slope), RunSingleLayer("PReLU", "0=1", input, slope));
    }
}
