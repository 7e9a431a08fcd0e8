using System.Collections.Concurrent;
using MassTransit;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>
/// Every <typeparamref name="T"/> published on a farm's bus from now on, received on a queue of its own as any other
/// consumer of the message would receive it (the API's webhooks consume JobCompleted this way).
/// </summary>
internal sealed class PublishedMessages<T> : IAsyncDisposable where T : class
{
    private readonly ConcurrentQueue<T> _received = new();
    private HostReceiveEndpointHandle? _endpoint;

    public IReadOnlyList<T> Received => _received.ToArray();

    public static async Task<PublishedMessages<T>> ListenAsync(IBus bus)
    {
        var messages = new PublishedMessages<T>();
        messages._endpoint = bus.ConnectReceiveEndpoint($"test-{typeof(T).Name}-{Guid.NewGuid():N}", endpoint =>
            endpoint.Handler<T>(context =>
            {
                messages._received.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        await messages._endpoint.Ready;
        return messages;
    }

    /// <summary>The first message received that <paramref name="matches"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> matches, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_received.FirstOrDefault(matches) is { } message)
                return message;
            Assert.True(DateTime.UtcNow < deadline, $"no matching {typeof(T).Name} was published within {timeout}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
            await _endpoint.StopAsync();
    }
}
