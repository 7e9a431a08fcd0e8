using UpscaleFarm.Storage;

namespace UpscaleFarm.Storage.Tests;

/// <summary>Object keys are checked whole: a line break at the end (which a regex's "$" lets through) is refused too.</summary>
public sealed class ObjectKeyTests
{
    [Theory]
    [InlineData("tenants/a/uploads/x\n")]
    [InlineData("tenants/a/uploads/x\r")]
    [InlineData("tenants/a/../b/x")]
    [InlineData("tenants/a//x")]
    [InlineData("/tenants/a/x")]
    [InlineData("tenants/a/x y")]
    public void Keys_outside_the_safe_alphabet_or_shape_are_refused(string key) =>
        Assert.Throws<ArgumentException>(() => ObjectKey.Validate(key));

    [Fact]
    public void A_plain_key_passes() => Assert.Equal("tenants/a/uploads/x.png", ObjectKey.Validate("tenants/a/uploads/x.png"));
}
