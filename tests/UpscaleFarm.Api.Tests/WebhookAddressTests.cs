using System.Net;
using UpscaleFarm.Api.Webhooks;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>Webhooks cannot be pointed into the farm's own network (SSRF) unless Api:WebhookPrivateNetworks allows it.</summary>
public sealed class WebhookAddressTests
{
    private sealed class PublicOnlyApiFactory() : ApiFactory(new Dictionary<string, string?> { ["Api:WebhookPrivateNetworks"] = "false" });

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("192.0.2.10", false)]
    [InlineData("198.51.100.7", false)]
    [InlineData("203.0.113.200", false)]
    [InlineData("64:ff9b::7f00:1", false)]
    [InlineData("64:ff9b::5db8:d822", false)]
    [InlineData("64:ff9b:1::a00:1", false)]
    [InlineData("2002:7f00:0001::", false)]
    [InlineData("2002:5db8:d822::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("100::1", false)]
    [InlineData("::7f00:1", false)]
    [InlineData("168.63.129.16", false)]
    [InlineData("168.63.129.17", true)]
    [InlineData("2a00:1450:4001::1", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("198.51.101.1", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", true)]
    public void Only_public_unicast_addresses_are_allowed(string address, bool allowed) =>
        Assert.Equal(allowed, WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    /// <summary>
    /// The environment's proxy (HTTP_PROXY, read by .NET's default handler) is not used: through it, the connect-time
    /// check would see the proxy's address, not the receiver's. A proxy named in Api:WebhookProxy is used as given.
    /// </summary>
    [Fact]
    public void Webhooks_use_no_proxy_unless_one_is_configured()
    {
        using var direct = WebhookAddresses.Handler(allowPrivateNetworks: false);
        Assert.False(direct.UseProxy);
        Assert.Null(direct.Proxy);
        using var proxied = WebhookAddresses.Handler(allowPrivateNetworks: false, new Uri("http://proxy.example:3128"));
        Assert.True(proxied.UseProxy);
        Assert.Equal(new Uri("http://proxy.example:3128"), proxied.Proxy!.GetProxy(new Uri("https://receiver.example/hook")));
        // What a receiver may answer: its headers, bounded, and a few KB of body drained at most.
        Assert.Equal(16, direct.MaxResponseHeadersLength);
        Assert.Equal(4 << 10, direct.MaxResponseDrainSize);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook", "127.0.0.1")]
    [InlineData("http://localhost/hook", "localhost")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://[::1]:8080/", "[::1]")]
    [InlineData("http://10.0.0.5/", "10.0.0.5")]
    public async Task A_webhook_into_the_farms_network_is_refused_at_submission(string url, string host)
    {
        using var api = new PublicOnlyApiFactory();
        var refused = await Refusals.PostAsync(api.ClientFor(ApiFactory.AcmeKey), Jobs.Form([("w.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", url)),
            HttpStatusCode.BadRequest);
        Assert.Contains($"host {host}", refused.Detail);
        Assert.Contains("not a public address", refused.Detail);
    }

    [Fact]
    public async Task A_delivery_connects_only_to_public_addresses_of_the_host_as_resolved_then()
    {
        // A name that passed the submission check may point elsewhere by delivery time (DNS rebinding):
        // the connection itself refuses it.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var guarded = new HttpClient(WebhookAddresses.Handler(allowPrivateNetworks: false));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync($"http://localhost:{port}/hook", new StringContent("{}")));
        Assert.Contains("resolves to no public address", refused.ToString());

        using var open = new HttpClient(WebhookAddresses.Handler(allowPrivateNetworks: true)) { Timeout = TimeSpan.FromSeconds(5) };
        var accepted = listener.AcceptTcpClientAsync();
        _ = open.PostAsync($"http://localhost:{port}/hook", new StringContent("{}"));
        using var connection = await accepted.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(connection.Connected);
    }
}
