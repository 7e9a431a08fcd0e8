using MassTransit;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Writes a frame whose tiles are all counted (<see cref="FrameWriter"/>). With Assembler:Progressive, the frame is
/// usually being written already by the assembler that leased it (<see cref="FrameWriterService"/>), and this does
/// nothing; it writes the frame only if it can lease it itself (no writer took it, or the one that did died and its lease
/// ended), holding the lease while it does.
/// </summary>
public sealed class FrameReadyConsumer(IFrameWriterStore leases, FrameWriter writer, FrameLeaseNames names, IOptions<FarmOptions> options)
    : IConsumer<FrameReady>
{
    public async Task Consume(ConsumeContext<FrameReady> context)
    {
        var settings = options.Value.Assembler;
        var (jobId, frame) = (context.Message.JobId, context.Message.Frame);
        if (!settings.Progressive)
        {
            await writer.WriteAsync(jobId, frame, FrameWriter.Whole, context.CancellationToken, context.CancellationToken);
            return;
        }
        // Not in one of the progressive writers' slots: a frame they have not leased (all busy, perhaps waiting on a
        // lower-priority job's tiles) is written here at once; this consumer's own concurrency bounds its strips.
        await using var lease = await FrameLease.TakeAsync(leases, jobId, frame, names.NewHolder(), TimeSpan.FromSeconds(Math.Max(1, settings.WriterLeaseSeconds)),
            context.CancellationToken);
        if (lease is null)
            return;
        using var leased = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lease.Lost);
        await writer.WriteAsync(jobId, frame, FrameWriter.Whole, leased.Token, context.CancellationToken);
    }
}
