using System.Net.Sockets;
using Amazon.Runtime;

namespace UpscaleFarm.Storage;

/// <summary>
/// The S3 client's HTTP connections, made to notice a dead peer. Without this a connection whose other end
/// vanished (a network partition, a server killed while its FIN was lost) leaves a download waiting for bytes
/// for ever: the SDK's timeout ends at the response's headers, and TCP never asks an idle peer. Here a silent
/// connection is probed after <see cref="S3Settings.DeadConnectionSeconds"/> / 2 and dropped a few probes later,
/// and data unacknowledged for that long (an upload into a partition) ends its connection too; the request
/// then fails as transient and the farm's step retries it on a new connection.
/// </summary>
internal sealed class S3HttpClientFactory(S3Settings settings) : HttpClientFactory
{
    // Linux's TCP_USER_TIMEOUT (IPPROTO_TCP, option 18): how long sent data may stay unacknowledged. .NET has no name for it.
    private const int TcpUserTimeout = 18;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var dead = TimeSpan.FromSeconds(Math.Max(2, settings.DeadConnectionSeconds));
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = dead,
            // Idle pooled connections are not trusted for long: a restarted server leaves them half-open.
            PooledConnectionIdleTimeout = dead,
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    var probeAfter = (int)Math.Max(1, dead.TotalSeconds / 2);
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                    socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, probeAfter);
                    socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, probeAfter / 3));
                    socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
                    if (OperatingSystem.IsLinux())
                        socket.SetRawSocketOption((int)SocketOptionLevel.Tcp, TcpUserTimeout, BitConverter.GetBytes((uint)dead.TotalMilliseconds));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The whole request up to its response's headers (a part's upload included): generous, the stall detection above is what ends a dead one.
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(Math.Max(settings.RequestTimeoutSeconds, 1)) };
    }

    // One client for the store's life, cached by the SDK per S3 client.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;
    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}
