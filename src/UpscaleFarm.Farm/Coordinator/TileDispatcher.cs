using System.Diagnostics;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Feeds the tile queue from the job store in priority order, tenants sharing each priority by weight
/// (<see cref="IDispatchStore.ClaimTilesAsync"/>). Planned tiles wait in the job store; the dispatcher keeps at most
/// <see cref="CoordinatorOptions.DispatchWindow"/> packs in the queue (sent and unfinished), and of them only about
/// <see cref="CoordinatorOptions.QueueSeconds"/> of the workers' pace waiting for a worker (<see cref="DispatchPace"/>),
/// so a job submitted at high priority, or by another tenant, overtakes the planned tiles of the jobs before it instead
/// of queueing behind them. RabbitMQ 3.x quorum queues and the in-memory transport have no message priorities, so the
/// order is decided here rather than in the broker.
/// </summary>
public sealed class TileDispatcher : BackgroundService
{
    private static readonly TimeSpan CountInterval = TimeSpan.FromSeconds(2);
    private static readonly long Started = Stopwatch.GetTimestamp();
    private readonly IDispatchStore _store;
    private readonly IBus _bus;
    private readonly TileDispatchSignal _signal;
    private readonly FarmOptions _farm;
    private readonly ILogger<TileDispatcher> _logger;
    private readonly FarmDiagnostics _diagnostics;
    private (int Queued, int Waiting) _backlog;

    public TileDispatcher(IDispatchStore store, IBus bus, TileDispatchSignal signal, IOptions<FarmOptions> options, FarmDiagnostics diagnostics,
        IMeterFactory meters, ILogger<TileDispatcher> logger)
    {
        (_store, _bus, _signal, _farm, _diagnostics, _logger) = (store, bus, signal, options.Value, diagnostics, logger);
        FarmTelemetry.ObserveBacklog(meters, () => _backlog);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var window = Math.Max(1, _farm.Coordinator.DispatchWindow);
        var pace = new DispatchPace(_farm.Coordinator.QueueSeconds, _farm.Coordinator.MinQueuedPacks);
        var interval = TimeSpan.FromMilliseconds(Math.Max(10, _farm.Coordinator.DispatchIntervalMs));
        var counted = Stopwatch.StartNew();
        try
        {
            // The in-memory queue died with the last process: what it held must be sent again.
            if (_farm.ResumesOnStart)
                await _store.ReleaseAllTilesAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await DispatchAsync(window, pace, stoppingToken);
                if (counted.Elapsed >= CountInterval)
                {
                    await CountAsync(stoppingToken);
                    counted.Restart();
                }
                await _signal.WaitAsync(interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DispatchAsync(int window, DispatchPace pace, CancellationToken cancellation)
    {
        IReadOnlyList<TileDispatch> tiles;
        try
        {
            var claim = await _store.ClaimTilesAsync(window, pace.MaxQueued, cancellation);
            tiles = claim.Tiles;
            pace.Observe(Stopwatch.GetElapsedTime(Started), claim.QueuedBefore, tiles.Count(t => t.Tile == t.Pack));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not claim tiles from the job store; trying again");
            return;
        }
        // TileJob sends do not go through the outbox (Lifecycle.JobLifecycle): one per tile, they are the farm's largest
        // volume, and a claim is cheap to redo. A crash here leaves the tiles claimed and unsent: the reconciler releases
        // them once they are stale.
        if (tiles.Count > 0)
        {
            try
            {
                _diagnostics.Committed(FarmDiagnostics.TilesClaimed);
            }
            catch (Exception e)
            {
                // A pass that fails between claim and send sends nothing, as one whose process died there would.
                _logger.LogWarning(e, "Dispatch stopped after claiming {Tiles} tiles; the reconciler releases them", tiles.Count);
                return;
            }
        }
        // Each job's tiles are sent in a span of that job's trace, so its tiles' spans are children of it.
        foreach (var job in tiles.GroupBy(t => t.JobId))
        {
            var jobTiles = job.ToList();
            using var activity = FarmTelemetry.StartJobActivity("dispatch tiles", job.Key, jobTiles[0].Tenant, jobTiles[0].TraceParent, kind: ActivityKind.Producer);
            activity?.SetTag(FarmTelemetry.Tags.Tiles, jobTiles.Count);
            try
            {
                await _bus.PublishBatch(jobTiles.GroupBy(t => (t.Frame, t.Pack)).Select(pack => ToMessage(pack.ToList())), cancellation);
            }
            catch (Exception e)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                _logger.LogWarning(e, "Could not publish {Count} tiles of job {JobId}; they go back to the job store", jobTiles.Count, job.Key);
                await _store.ReleaseTilesAsync(jobTiles, CancellationToken.None);
            }
        }
    }

    private async Task CountAsync(CancellationToken cancellation)
    {
        try
        {
            _backlog = await _store.CountDispatchAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogDebug(e, "Could not count the dispatch backlog");
        }
    }

    /// <summary>One message per pack (<see cref="Packing.TilePacker"/>), its tiles in order.</summary>
    private static TileJob ToMessage(IReadOnlyList<TileDispatch> pack)
    {
        var t = pack[0];
        var jobId = t.JobId;
        return new TileJob(jobId, t.Frame, t.Pack, t.Model,
            FarmKeys.TileInput(t.Tenant, jobId, t.Frame, t.Pack),
            FarmKeys.TileOutput(t.Tenant, jobId, t.Frame, t.Pack),
            pack.Select(p => new PackedTile(p.Tile, p.Geometry)).ToList(),
            t.Plane == 0 && !t.IsGray ? 3 : 1, t.Tenant);
    }
}
