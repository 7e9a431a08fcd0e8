using System.Collections.Concurrent;
using System.Diagnostics;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;
using UpscaleFarm.Video;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// Video jobs' cuts in an embedded farm, on clips made with ffmpeg, watched through the farm's own "cut video" spans:
/// no more at once than Farm:Coordinator:MaxVideoCuts however many one tenant sends, taken tenant by tenant, and a
/// cancelled job's cut stopped with its scratch gone; a stored video over the tenant's upload limit not read past it.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class VideoCutTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ConcurrentQueue<(Guid JobId, DateTime Start, DateTime End)> _cuts = new();
    private readonly ActivityListener _listener;

    public VideoCutTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FarmTelemetry.Name,
            Sample = (ref _) => ActivitySamplingResult.AllData,
            // A span's tags are set after it starts: each cut is recorded as it ends, with when it started.
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    private void Record(Activity activity)
    {
        if (activity.OperationName == "cut video" && Guid.TryParse(activity.GetTagItem(FarmTelemetry.Tags.JobId) as string, out var jobId))
            _cuts.Enqueue((jobId, activity.StartTimeUtc, activity.StartTimeUtc + activity.Duration));
    }

    private Task<EmbeddedFarm> StartFarmAsync() => EmbeddedFarm.StartAsync(new Dictionary<string, string?>
    {
        ["Farm:DataDirectory"] = _dir.File("farm"),
        ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
        ["Farm:Coordinator:MaxVideoCuts"] = "1",
    });

    private async Task<string> ClipAsync(string name, string size, int frames)
    {
        var path = _dir.File(name);
        await Ffmpeg.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", $"testsrc=size={size}:rate=25", "-frames:v", frames.ToString(),
            "-c:v", "libx264", "-pix_fmt", "yuv420p", path], MediaLimits.Default, "making a test clip failed", CancellationToken.None);
        return path;
    }

    /// <summary>A video job of <paramref name="tenant"/>'s whose result is its frames, as the API makes one.</summary>
    private static async Task<Guid> SubmitAsync(EmbeddedFarm farm, string tenant, string clip, long maxVideoBytes = 1L << 30)
    {
        var job = farm.Client.NewJob(new JobRequest { Tenant = tenant, Model = "nearest-x4", Options = new() { Format = "png" } });
        var key = FarmKeys.VideoSource(tenant, job.Id, ".mp4");
        await using (var file = File.OpenRead(clip))
            await farm.Objects.PutAsync(key, file);
        await farm.Client.CreateVideoAsync(job, new VideoCut(job.Id, key, "clip.mp4", MuxResult: false, MaxFrames: 10_000, MaxPixels: 1 << 22,
            MaxDecodedBytes: 1L << 32, maxVideoBytes));
        return job.Id;
    }

    [Fact]
    public async Task One_tenants_videos_are_cut_one_at_a_time_and_another_tenants_video_goes_next()
    {
        var clip = await ClipAsync("clip.mp4", "160x120", 50);
        await using var farm = await StartFarmAsync();

        var first = await SubmitAsync(farm, "many", clip);
        List<Guid> more = [await SubmitAsync(farm, "many", clip), await SubmitAsync(farm, "many", clip)];
        var other = await SubmitAsync(farm, "other", clip);

        foreach (var id in (Guid[])[first, .. more, other])
        {
            var job = await farm.Client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(job.State == JobState.Completed, $"{job.State}: {job.Error}");
            Assert.Equal(50, job.FramesTotal);
        }
        var cuts = _cuts.OrderBy(c => c.Start).ToList();
        Assert.Equal(4, cuts.Count);
        // One at a time: every cut ends before the next starts.
        Assert.All(cuts.Zip(cuts.Skip(1)), pair => Assert.True(pair.First.End <= pair.Second.Start, string.Join(", ", cuts)));
        // The other tenant's video overtakes the first tenant's two waiting ones.
        Assert.Equal([first, other, .. more], cuts.Select(c => c.JobId));
        Assert.Empty(Directory.GetDirectories(_dir.File("farm/scratch"), "video-cut-*"));
    }

    [Fact]
    public async Task A_cancelled_jobs_cut_stops_within_seconds_and_the_next_cut_starts()
    {
        // 3 000 frames of 640x480: decoding them alone takes about 16 s on 2 cores, far longer than the cut may go on once cancelled.
        var clip = await ClipAsync("long.mp4", "640x480", 3000);
        var small = await ClipAsync("small.mp4", "64x48", 10);
        await using var farm = await StartFarmAsync();

        var cancelled = await SubmitAsync(farm, "a", clip);
        var next = await SubmitAsync(farm, "a", small);
        // Its work folder is there once it has started.
        await UntilAsync(() => Directory.Exists(_dir.File("farm/scratch")) && Directory.GetDirectories(_dir.File("farm/scratch"), $"video-cut-{cancelled:N}-*").Length > 0,
            TimeSpan.FromSeconds(60));
        var scratch = Assert.Single(Directory.GetDirectories(_dir.File("farm/scratch"), "video-cut-*"));
        var watch = Stopwatch.StartNew();
        Assert.True(await farm.Client.CancelAsync(cancelled));

        await UntilAsync(() => _cuts.Any(c => c.JobId == cancelled), TimeSpan.FromSeconds(30));
        var stoppedAfter = watch.Elapsed;
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(5), $"the cut stopped {stoppedAfter.TotalSeconds:F1} s after the cancel");
        Assert.False(Directory.Exists(scratch), "the cancelled cut's scratch is still there");
        var job = (await farm.Client.GetAsync(cancelled))!;
        Assert.Equal((JobState.Cancelled, 0), (job.State, job.FramesTotal));
        Assert.Empty(await farm.Client.GetFramesAsync(cancelled));

        var done = await farm.Client.WaitAsync(next).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(done.State == JobState.Completed, $"{done.State}: {done.Error}");
        Assert.Equal(10, done.FramesTotal);
    }

    [Fact]
    public async Task A_stored_video_over_the_tenants_upload_limit_fails_its_job_when_the_coordinator_reads_it()
    {
        var clip = await ClipAsync("clip.mp4", "64x48", 10);
        var size = new FileInfo(clip).Length;
        await using var farm = await StartFarmAsync();

        var job = await farm.Client.WaitAsync(await SubmitAsync(farm, "a", clip, maxVideoBytes: size - 1)).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(job.State == JobState.Failed, $"{job.State}: {job.Error}");
        Assert.Equal($"the video is over this tenant's upload limit of {size - 1} bytes", job.Error);
        Assert.Empty(Directory.GetDirectories(_dir.File("farm/scratch"), "video-cut-*"));
    }

    private static Task UntilAsync(Func<bool> condition, TimeSpan timeout) =>
        ProcessWait.UntilAsync(() => Task.FromResult(condition()), [], timeout, TimeSpan.FromMilliseconds(50));

    public void Dispose()
    {
        _listener.Dispose();
        _dir.Dispose();
    }
}
