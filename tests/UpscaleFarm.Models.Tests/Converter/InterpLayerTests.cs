using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>ncnn Interp by scale factors: nearest, bilinear and bicubic, with and without align_corner.</summary>
public class InterpLayerTests
{
    private const int Channels = 2;

    private static Blob Run(int resizeType, float heightScale, float widthScale, bool alignCorner, Blob input)
    {
        var parameters = $"0={resizeType} 1={NcnnModelWriter.Float(heightScale)} 2={NcnnModelWriter.Float(widthScale)}" + (alignCorner ? " 6=1" : "");
        var network = new NcnnModelWriter().Input(channels: Channels).Layer("Interp", "interp", ["data"], ["out"], parameters);
        return ConvertedNetwork.Run(network, input);
    }

    // Height and width scales differ in some cases so that swapping params 1 and 2 is caught.

    [Theory]
    [InlineData(2f, 2f)]
    [InlineData(4f, 4f)]
    [InlineData(3f, 2f)]
    [InlineData(1f, 3f)]
    [InlineData(1.5f, 2.5f)]
    [InlineData(0.5f, 0.5f)]
    public void Nearest(float heightScale, float widthScale)
    {
        var input = RandomValues.Blob(Channels, 5, 7, seed: 900);
        BlobAssert.Close(ReferenceInterp.Nearest(input, heightScale, widthScale), Run(1, heightScale, widthScale, false, input));
    }

    [Theory]
    [InlineData(2f, 2f, false)]
    [InlineData(3f, 2f, false)]
    [InlineData(2f, 2f, true)]
    [InlineData(2f, 3f, true)]
    public void Bilinear(float heightScale, float widthScale, bool alignCorner)
    {
        var input = RandomValues.Blob(Channels, 5, 7, seed: 910);
        BlobAssert.Close(ReferenceInterp.Bilinear(input, heightScale, widthScale, alignCorner), Run(2, heightScale, widthScale, alignCorner, input));
    }

    [Theory]
    [InlineData(2f, 2f, false)]
    [InlineData(3f, 2f, false)]
    [InlineData(4f, 4f, false)]
    [InlineData(2f, 2f, true)]
    [InlineData(2f, 3f, true)]
    public void Bicubic(float heightScale, float widthScale, bool alignCorner)
    {
        var input = RandomValues.Blob(Channels, 5, 7, seed: 920);
        BlobAssert.Close(ReferenceInterp.Bicubic(input, heightScale, widthScale, alignCorner), Run(3, heightScale, widthScale, alignCorner, input));
    }

    /// <summary>
    /// When size * scale is not a whole number ncnn's bilinear and bicubic step by in / out, not by
    /// 1 / scale: 7 * 1.5 gives 10 columns sampled every 0.7 pixels, not every 0.667.
    /// </summary>
    [Theory]
    [InlineData(2, 1.5f, 1.5f)]
    [InlineData(2, 0.5f, 0.5f)]
    [InlineData(3, 1.5f, 2.5f)]
    public void FractionalScaleSamplesLikeNcnn(int resizeType, float heightScale, float widthScale)
    {
        var input = RandomValues.Blob(Channels, 5, 7, seed: 930);
        var expected = resizeType == 2
            ? ReferenceInterp.Bilinear(input, heightScale, widthScale, alignCorner: false)
            : ReferenceInterp.Bicubic(input, heightScale, widthScale, alignCorner: false);
        BlobAssert.Close(expected, Run(resizeType, heightScale, widthScale, false, input));
    }
}
