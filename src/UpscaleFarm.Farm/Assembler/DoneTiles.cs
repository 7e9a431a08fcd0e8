using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Which of a frame's tiles are done, for <see cref="FrameAssembler"/>: at once for tiles that were done when the frame's
/// tiles were read (all of them, for a frame assembled after its last tile), else once at least one more is, woken by the
/// tiles this process counts (<see cref="TileCompletedSignal"/>) or by Assembler:WriterPollMs.
/// </summary>
public sealed class DoneTiles(IJobQueries store, IFrameWriterStore leases, TileCompletedSignal completed, IOptions<FarmOptions> options)
{
    /// <summary>
    /// The tiles of <paramref name="waiting"/> that are done (whole packs), once at least one is; throws
    /// <see cref="JobEndedException"/> if the job ended first. Each look reads only the waiting packs' first tiles, by
    /// primary key, so waking once per finished pack costs the same whatever the frame's size.
    /// </summary>
    public async Task<IReadOnlyList<TileRecord>> WaitAsync(Guid jobId, int frame, IReadOnlyList<TileRecord> waiting, CancellationToken cancellation)
    {
        var known = waiting.Where(t => t.State == TileState.Done).ToList();
        if (known.Count > 0)
            return known;
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.Assembler.WriterPollMs));
        var packs = waiting.Select(t => t.Pack).Distinct().ToList();
        while (true)
        {
            // Taken before looking: a tile counted while the store is read wakes the wait below.
            var wake = completed.Next;
            var done = (await leases.GetDonePacksAsync(jobId, frame, packs, cancellation)).ToHashSet();
            if (done.Count > 0)
                return waiting.Where(t => done.Contains(t.Pack)).ToList();
            if (await store.GetJobAsync(jobId, cancellation) is not { } job || job.State != JobState.Running)
                throw new JobEndedException();
            await Task.WhenAny(wake, Task.Delay(poll, cancellation));
            cancellation.ThrowIfCancellationRequested();
        }
    }
}
