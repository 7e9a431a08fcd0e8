using UpscaleFarm.Api.Webhooks;

namespace UpscaleFarm.Api.Tests;

/// <summary>Webhook signatures are Standard Webhooks signatures, and webhook URLs reach logs without their path or query.</summary>
public sealed class WebhookSignatureTests
{
    [Fact]
    public void A_whsec_secret_signs_as_the_standards_published_example()
    {
        // The example the Standard Webhooks libraries test their sign function with.
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""));
    }

    [Fact]
    public void Any_other_secret_is_used_as_its_utf8_bytes()
    {
        Assert.Equal("acme"u8.ToArray(), WebhookSignature.Key("acme"));
        Assert.NotEqual(WebhookSignature.Sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1, "{}"),
            WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1, "{}"));
        Assert.True(WebhookSignature.IsValidSecret("any string at all"));
        Assert.False(WebhookSignature.IsValidSecret("whsec_not base64!"));
        Assert.False(WebhookSignature.IsValidSecret("whsec_"));
    }

    [Theory]
    [InlineData("https://hooks.example.com/t/SECRET-TOKEN?sig=abc#frag", "https://hooks.example.com")]
    [InlineData("http://user:password@10.0.0.1:8080/hook/TOKEN", "http://10.0.0.1:8080")]
    [InlineData("https://[2001:db8::1]:8443/x?token=1", "https://[2001:db8::1]:8443")]
    [InlineData("http://example.com:80/x", "http://example.com")]
    [InlineData("not a url /with/TOKEN", "(not a URL)")]
    public void A_url_is_logged_as_its_scheme_host_and_port(string url, string logged) => Assert.Equal(logged, RedactedUrl.Of(url));
}
