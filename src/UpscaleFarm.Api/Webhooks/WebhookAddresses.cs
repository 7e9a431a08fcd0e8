using System.Net;
using System.Net.Sockets;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// Which addresses a webhook may reach. A tenant names the URL, so without this it could make the API
/// post to services only the farm's network can reach (cloud metadata at 169.254.169.254, an admin port
/// on loopback, the broker's management API). Unless Api:WebhookPrivateNetworks is set, only public
/// unicast addresses are allowed: checked when the job is submitted, and again when each delivery
/// connects, against the addresses the name resolves to then (a name can be re-pointed in between).
/// </summary>
public static class WebhookAddresses
{
    private static readonly byte[] Nat64 = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];  // 64:ff9b::/96, NAT64
    private static readonly byte[] Nat64Local = [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01];         // 64:ff9b:1::/48, local NAT64
    private static readonly byte[] SixToFour = [0x20, 0x02];                                  // 2002::/16, 6to4
    private static readonly byte[] Teredo = [0x20, 0x01, 0x00, 0x00];                         // 2001::/32, Teredo
    private static readonly byte[] Ipv4Compatible = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];     // ::/96, deprecated IPv4-compatible
    private static readonly byte[] Documentation = [0x20, 0x01, 0x0d, 0xb8];                  // 2001:db8::/32
    private static readonly byte[] Discard = [0x01, 0x00, 0, 0, 0, 0, 0, 0];                  // 100::/64, discard-only

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return false;
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return !(address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                // Prefixes that embed an IPv4 address (a gateway or relay unwraps it, loopback and private
                // ones included) are refused whatever they embed: simpler and safer than judging the embedded one.
                || b.AsSpan().StartsWith(Nat64) || b.AsSpan().StartsWith(Nat64Local) || b.AsSpan().StartsWith(SixToFour)
                || b.AsSpan().StartsWith(Teredo) || b.AsSpan().StartsWith(Ipv4Compatible)
                || b.AsSpan().StartsWith(Documentation) || b.AsSpan().StartsWith(Discard));
        return !(b[0] == 0                                   // "this" network
            || b[0] == 10                                    // private
            || b[0] == 100 && b[1] >= 64 && b[1] < 128       // carrier-grade NAT
            || b[0] == 169 && b[1] == 254                    // link-local, cloud metadata
            || b[0] == 172 && b[1] >= 16 && b[1] < 32        // private
            || b[0] == 192 && b[1] == 0 && b[2] == 0         // IETF protocol assignments
            || b[0] == 192 && b[1] == 168                    // private
            || b[0] == 192 && b[1] == 0 && b[2] == 2         // documentation (TEST-NET-1)
            || b[0] == 192 && b[1] == 88 && b[2] == 99       // 6to4 relay anycast
            || b[0] == 198 && (b[1] == 18 || b[1] == 19)     // benchmarking
            || b[0] == 198 && b[1] == 51 && b[2] == 100      // documentation (TEST-NET-2)
            || b[0] == 203 && b[1] == 0 && b[2] == 113       // documentation (TEST-NET-3)
            || b[0] >= 224                                   // multicast, reserved, broadcast
            || PlatformInternal.Contains(address));
    }

    /// <summary>
    /// Public addresses that are a cloud platform's own services inside every virtual network (the others' metadata and
    /// DNS services are link-local or CGNAT addresses, refused above): Azure's WireServer and DNS, 168.63.129.16.
    /// </summary>
    private static readonly IPAddress[] PlatformInternal = [IPAddress.Parse("168.63.129.16")];

    /// <summary>The reason <paramref name="url"/> may not be a webhook, or null if it may.</summary>
    public static async Task<string?> RefusalAsync(Uri url, CancellationToken cancellation)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, cancellation);
        }
        catch (SocketException e)
        {
            return $"the webhook's host {url.Host} does not resolve ({e.SocketErrorCode})";
        }
        return addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused
            ? $"the webhook's host {url.Host} is {refused}, which is not a public address"
            : null;
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellation);

    /// <summary>
    /// The handler webhooks are sent through: it connects only to public addresses of the host, resolved
    /// at connect time, and follows no redirects (a redirect could point anywhere). It ignores the environment's
    /// proxy settings (HTTP_PROXY and the like), through which the guard would check the proxy's address instead of the
    /// receiver's, unless <paramref name="proxy"/> names one (Api:WebhookProxy: then that proxy's egress rules are the guard
    /// at connect time). A receiver's headers are read up to 16 KB, and at most 4 KB of a body nobody reads is drained.
    /// </summary>
    public static SocketsHttpHandler Handler(bool allowPrivateNetworks, Uri? proxy = null) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = proxy is not null,
        Proxy = proxy is null ? null : new WebProxy(proxy),
        MaxResponseHeadersLength = 16,
        MaxResponseDrainSize = 4 << 10,
        ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        ConnectCallback = async (context, cancellation) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = await ResolveAsync(host, cancellation);
            var allowed = allowPrivateNetworks ? addresses : addresses.Where(IsPublic).ToArray();
            if (allowed.Length == 0)
                throw new HttpRequestException($"the webhook's host {host} resolves to no public address ({string.Join(", ", addresses.Select(a => a.ToString()))})");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
