using System.Net;
using System.Net.Sockets;

namespace UpscaleFarm.Testing;

/// <summary>Ports for the servers the tests start (s3rver, the API, a process's health and metrics endpoints).</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port free a moment ago.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
