using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Feeds the tile queue from the job store in priority order. Planned tiles wait in the store; the
/// dispatcher keeps at most <see cref="CoordinatorOptions.DispatchWindow"/> of them in the queue (sent
/// and unfinished), so a job submitted at high priority overtakes the planned tiles of lower-priority jobs
/// instead of queueing behind them. RabbitMQ 3.x quorum queues and the in-memory transport have no
/// message priorities, so the order is decided here rather than in the broker.
/// </summary>
public sealed class TileDispatcher(IJobStore store, IBus bus, TileDispatchSignal signal, IOptions<FarmOptions> options,
    ILogger<TileDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var farm = options.Value;
        var window = Math.Max(1, farm.Coordinator.DispatchWindow);
        var interval = TimeSpan.FromMilliseconds(Math.Max(10, farm.Coordinator.DispatchIntervalMs));
        try
        {
            // The in-memory queue died with the last process: what it held must be sent again.
            if (farm.ResumeOnStart ?? !farm.UsesRabbitMq)
                await store.ReleaseAllTilesAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await DispatchAsync(window, stoppingToken);
                await signal.WaitAsync(interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DispatchAsync(int window, CancellationToken cancellation)
    {
        IReadOnlyList<TileDispatch> tiles;
        try
        {
            tiles = await store.ClaimTilesAsync(window, cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not claim tiles from the job store; trying again");
            return;
        }
        if (tiles.Count == 0)
            return;
        try
        {
            await bus.PublishBatch(tiles.Select(ToMessage), cancellation);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not publish {Count} tiles; they go back to the job store", tiles.Count);
            await store.ReleaseTilesAsync(tiles, CancellationToken.None);
        }
    }

    private static TileJob ToMessage(TileDispatch t)
    {
        var jobId = Guid.Parse(t.JobId);
        return new TileJob(jobId, t.Frame, t.Tile, t.Model,
            FarmKeys.TileInput(t.Tenant, jobId, t.Frame, t.Tile),
            FarmKeys.TileOutput(t.Tenant, jobId, t.Frame, t.Tile),
            new TileGeometry(t.InputX, t.InputY, t.InputWidth, t.InputHeight, t.CoreX, t.CoreY, t.CoreWidth, t.CoreHeight),
            t.Plane == 1 || t.IsGray == 1 ? 1 : 3);
    }
}
