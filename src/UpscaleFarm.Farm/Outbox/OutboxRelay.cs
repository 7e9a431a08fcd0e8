using System.Diagnostics;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Farm.Outbox;

/// <summary>
/// Publishes the messages that state changes committed to the job store's outbox (<see cref="Lifecycle.JobLifecycle"/>),
/// then deletes them. Woken at once by a commit in this process (<see cref="OutboxSignal"/>), it otherwise polls every
/// Farm:Outbox:PollIntervalMs for messages other processes left (one that exited, or died after its commit). Messages are
/// claimed in batches of Farm:Outbox:BatchSize under a lease of Farm:Outbox:LeaseSeconds, so relays in several processes
/// do not send the same message; a relay that dies holding a claim delays its messages by the lease, and one that dies
/// after publishing but before deleting sends them twice, which every consumer tolerates (at least once, never lost).
/// A publish that fails (the broker is down) leaves its message and the rest of the batch in the outbox, and the relay
/// backs off on the farm's retry schedule (1, 2, 4, 8, then every 10 s).
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    /// <summary>On a graceful stop, how long a durable transport's relay goes on sending what its process committed.</summary>
    private static readonly TimeSpan FinalDrain = TimeSpan.FromSeconds(5);

    /// <summary>How often the backlog gauges are refreshed.</summary>
    private static readonly TimeSpan CountInterval = TimeSpan.FromSeconds(5);


    private readonly IOutboxStore _store;
    private readonly IBus _bus;
    private readonly OutboxSignal _signal;
    private readonly FarmOptions _farm;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly string _claim = Guid.NewGuid().ToString("N");
    private readonly Stopwatch _counted = new();
    private OutboxBacklog _backlog;

    public OutboxRelay(IOutboxStore store, IBus bus, OutboxSignal signal, IOptions<FarmOptions> options, IMeterFactory meters, ILogger<OutboxRelay> logger)
    {
        (_store, _bus, _signal, _farm, _logger) = (store, bus, signal, options.Value, logger);
        FarmTelemetry.ObserveOutbox(meters, () => _backlog);
    }

    private int BatchSize => Math.Max(1, _farm.Outbox.BatchSize);
    private TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, _farm.Outbox.LeaseSeconds));

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(10, _farm.Outbox.PollIntervalMs));
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Counted also while publishing fails, when the backlog is what an operator needs to see.
                await CountAsync(stopping);
                await DrainAsync(stopping);
                if (failures > 0)
                    _logger.LogInformation("The outbox relay publishes again after {Failures} failed attempts", failures);
                failures = 0;
                await _signal.WaitAsync(interval, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                var wait = TransientFailures.Backoff(failures++);
                _logger.LogWarning(e, "The outbox relay could not publish or claim messages (attempt {Failures}); they stay in the job store and it tries again in {Seconds} s",
                    failures, wait.TotalSeconds);
                try
                {
                    await Task.Delay(wait, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        // A client that committed a job and exits at once (farm submit without --wait) sends it on its way. On the
        // in-memory transport the bus dies with the process: what is left stays in the outbox for the next start.
        if (_farm.UsesRabbitMq)
        {
            using var drain = new CancellationTokenSource(FinalDrain);
            try
            {
                await DrainAsync(drain.Token);
            }
            catch (Exception e)
            {
                _logger.LogDebug(e, "The outbox relay stopped with messages left; another relay sends them");
            }
        }
    }

    /// <summary>Publishes batches until the outbox has nothing claimable.</summary>
    private async Task DrainAsync(CancellationToken cancellation)
    {
        while (await RelayBatchAsync(cancellation) == BatchSize)
        {
        }
    }

    /// <returns>How many messages were claimed.</returns>
    private async Task<int> RelayBatchAsync(CancellationToken cancellation)
    {
        var now = Clock.NowMs;
        var batch = await _store.ClaimOutboxAsync(_claim, now, now + (long)Lease.TotalMilliseconds, BatchSize, cancellation);
        if (batch.Count == 0)
            return 0;
        var sent = new List<string>(batch.Count);
        Exception? failure = null;
        foreach (var message in batch)
        {
            try
            {
                if (await PublishAsync(message, cancellation))
                    sent.Add(message.Id);
            }
            catch (Exception e)
            {
                // The broker is likely down for the rest of the batch too.
                failure = e;
                break;
            }
        }
        if (sent.Count > 0)
            await _store.DeleteOutboxAsync(sent, CancellationToken.None);
        if (failure is not null)
        {
            var unsent = batch.Select(m => m.Id).Except(sent).ToList();
            await _store.ReleaseOutboxAsync(_claim, unsent, CancellationToken.None);
            // Stopping is not a failure: the released messages go with this process's final drain or another relay.
            cancellation.ThrowIfCancellationRequested();
            throw new OutboxPublishException(unsent.Count, failure);
        }
        return batch.Count;
    }

    /// <returns>False for a message this build cannot read; it stays claimed until its lease ends.</returns>
    private async Task<bool> PublishAsync(OutboxMessage message, CancellationToken cancellation)
    {
        if (!OutboxCodec.TryDecode(message, out var body, out var type))
        {
            _logger.LogError("Outbox message {Id} is a {Type}, which this build does not know; it is left for a relay of the build that wrote it",
                message.Id, message.MessageType);
            return false;
        }
        // In the trace of the step that committed it, so the consumer's spans stay in the job's trace.
        using var activity = message.TraceParent is null ? null : FarmTelemetry.StartJobActivity("outbox publish", message.TraceParent, ActivityKind.Producer);
        activity?.SetTag(FarmTelemetry.Tags.MessageType, type.Name);
        // A publish that hangs (the broker unreachable) must give up while the claim still holds.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(Lease / 2);
        try
        {
            await _bus.Publish(body, type, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"the broker did not take a {type.Name} within {(Lease / 2).TotalSeconds} s");
        }
        return true;
    }

    private async Task CountAsync(CancellationToken cancellation)
    {
        if (_counted.IsRunning && _counted.Elapsed < CountInterval)
            return;
        _counted.Restart();
        try
        {
            _backlog = await _store.CountOutboxAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogDebug(e, "Could not count the outbox");
        }
    }
}
