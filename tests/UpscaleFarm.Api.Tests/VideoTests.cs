using System.Net;
using UpscaleFarm.Testing.Api;
using UpscaleFarm.Video;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Video round trips through the API and the farm, on clips made with ffmpeg (testsrc and a sine tone):
/// 4× the size, the same frames, timing and duration, the audio and subtitles kept; or the frames as a zip.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class VideoTests(ApiFactory api) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("upscalefarm-video-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> ClipAsync(string name, params string[] arguments)
    {
        var path = Path.Combine(_dir, name);
        await Ffmpeg.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-y", .. arguments, path], MediaLimits.Default, "making a test clip failed", CancellationToken.None);
        return path;
    }

    private static async Task<IReadOnlyList<double>> FrameTimesAsync(string video) =>
        await VideoProbe.FrameTimesAsync(video, await VideoProbe.ProbeAsync(video, MediaLimits.Default, CancellationToken.None), 10_000,
            MediaLimits.Default, CancellationToken.None);

    private async Task<string> UpscaleAsync(string clip, params (string, string)[] fields)
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([(Path.GetFileName(clip), await File.ReadAllBytesAsync(clip))], fields))).Id);
        Assert.True(job.State == "completed", $"{job.State}: {job.Error}");
        var result = Path.Combine(_dir, "result" + Path.GetExtension(clip));
        await File.WriteAllBytesAsync(result, await client.GetByteArrayAsync($"/v1/jobs/{job.Id:N}/result"));
        return result;
    }

    [Fact]
    public async Task A_video_comes_back_four_times_larger_with_its_frames_duration_audio_and_subtitles()
    {
        var subtitles = Path.Combine(_dir, "clip.srt");
        await File.WriteAllTextAsync(subtitles, "1\n00:00:00,500 --> 00:00:01,500\nHello\n");
        var clip = await ClipAsync("clip.mp4", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-i", subtitles, "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-c:s", "mov_text", "-shortest");
        var source = await VideoProbe.ProbeAsync(clip, MediaLimits.Default, CancellationToken.None);

        var result = await UpscaleAsync(clip);

        var upscaled = await VideoProbe.ProbeAsync(result, MediaLimits.Default, CancellationToken.None);
        Assert.True((upscaled.Width, upscaled.Height) == (128, 96), $"{upscaled} from {source}");
        Assert.Equal(20, (await FrameTimesAsync(result)).Count);
        Assert.True(upscaled.HasAudio, "the audio stream was dropped");
        Assert.True(source.HasSubtitles && upscaled.HasSubtitles, "the subtitle stream was dropped");
        Assert.InRange(upscaled.DurationSeconds, source.DurationSeconds - 0.05, source.DurationSeconds + 0.05);
    }

    [Fact]
    public async Task A_variable_frame_rate_is_kept_frame_by_frame()
    {
        // Five frames 0.1 s apart, then ten 0.25 s apart.
        var clip = await ClipAsync("vfr.mkv", "-f", "lavfi", "-i", "testsrc=size=32x24:rate=10:duration=1.5",
            "-vf", "setpts='if(lt(N,5),N*0.1,0.5+(N-5)*0.25)/TB'", "-fps_mode", "vfr", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        var before = await FrameTimesAsync(clip);
        Assert.Equal(15, before.Count);

        var after = await FrameTimesAsync(await UpscaleAsync(clip));

        Assert.True(before.Count == after.Count, $"{after.Count} frames: {string.Join(", ", after.Select(t => t.ToString("F3")))}");
        for (var i = 0; i < before.Count; i++)
            Assert.True(Math.Abs(before[i] - after[i]) < 0.002, $"frame {i}: {before[i]:F3} s became {after[i]:F3} s");
    }

    [Fact]
    public async Task Asked_for_a_zip_a_video_comes_back_as_its_frames()
    {
        var clip = await ClipAsync("few.mp4", "-f", "lavfi", "-i", "testsrc=size=16x12:rate=5:duration=0.6", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        var result = await UpscaleAsync(clip, ("container", "zip"));
        using var zip = System.IO.Compression.ZipFile.OpenRead(result);
        Assert.Equal(["few-000000.png", "few-000001.png", "few-000002.png"], zip.Entries.Select(e => e.FullName));
    }

    [Fact]
    public async Task A_file_that_is_not_a_video_or_a_video_beside_images_is_refused()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var notVideo = await Refusals.PostAsync(client, Jobs.Form([("fake.mp4", "not a video at all"u8.ToArray())]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not a readable video", notVideo.Detail);

        var clip = await ClipAsync("one.mp4", "-f", "lavfi", "-i", "testsrc=size=16x12:rate=5:duration=0.2", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        var mixed = await Refusals.PostAsync(client, Jobs.Form([("a.png", Jobs.Png("chelsea.png", 8, 8)), ("one.mp4", await File.ReadAllBytesAsync(clip))]),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("only file", mixed.Detail);
    }

    [Fact]
    public async Task A_video_is_accepted_before_its_frames_are_decoded_and_one_whose_frames_cannot_be_decoded_fails_its_job()
    {
        // A Matroska file whose headers are whole (a 16x12 video stream) but whose codec no decoder knows: only decoding finds it out.
        var clip = await ClipAsync("undecodable.mkv", "-f", "lavfi", "-i", "testsrc=size=16x12:rate=5:duration=0.6", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        var bytes = await File.ReadAllBytesAsync(clip);
        var codec = bytes.AsSpan().IndexOf("V_MPEG4/ISO/AVC"u8);
        Assert.True(codec > 0, "the clip names no H.264 track");
        "V_MPEG4/ISO/XYZ"u8.CopyTo(bytes.AsSpan(codec));
        var client = api.ClientFor(ApiFactory.AcmeKey);

        var submitted = await Jobs.SubmitAsync(client, Jobs.Form([("undecodable.mkv", bytes)]));

        // Created with no frames yet: the coordinator cuts them after the request has returned.
        Assert.Equal(0, submitted.FramesTotal);
        var job = await Jobs.WaitAsync(client, submitted.Id);
        Assert.True(job.State == "failed", $"{job.State}: {job.Error}");
        Assert.StartsWith("not a readable video", job.Error);
        foreach (var word in (string[])["ffprobe", "ffmpeg", "Exception", "Decoder", api.DataDirectory])
            Assert.DoesNotContain(word, job.Error);
    }

    [Fact]
    public async Task A_video_over_the_tenants_limits_by_its_headers_is_refused_before_its_job_exists()
    {
        // 30 frames of 64x48: 276 480 bytes decoded, over the small tenant's 200 000 and the hostile tenant's scratch of 150 000.
        var clip = await File.ReadAllBytesAsync(await ClipAsync("long.mkv", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=3", "-c:v", "libx264",
            "-pix_fmt", "yuv420p"));

        var unzipped = await Refusals.PostAsync(api.ClientFor(ApiFactory.SmallKey), Jobs.Form([("long.mkv", clip)]), HttpStatusCode.RequestEntityTooLarge);
        var scratch = await Refusals.PostAsync(api.ClientFor(ApiFactory.HostileKey), Jobs.Form([("long.mkv", clip)]), HttpStatusCode.TooManyRequests);

        Assert.Contains($"over this tenant's limit of {ApiFactory.SmallMaxUnzippedBytes}", unzipped.Detail);
        Assert.Contains($"more than {ApiFactory.HostileMaxScratchBytes} bytes of scratch space", scratch.Detail);
    }

    [Fact]
    public async Task A_video_whose_headers_understate_its_frames_fails_its_job_when_they_are_counted()
    {
        // The same 30 frames, in a Matroska file whose header says it lasts 0.2 s: about 2 frames, 18 432 bytes decoded.
        var bytes = await File.ReadAllBytesAsync(await ClipAsync("short.mkv", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=3", "-c:v", "libx264",
            "-pix_fmt", "yuv420p"));
        var duration = bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x44, 0x89, 0x88]); // Segment Info's Duration, an 8-byte float in milliseconds
        Assert.True(duration > 0, "the clip has no Duration element");
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(duration + 3), 200);
        var client = api.ClientFor(ApiFactory.SmallKey);

        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("short.mkv", bytes)], ("priority", "3")))).Id);

        Assert.True(job.State == "failed", $"{job.State}: {job.Error}");
        Assert.Equal($"the video's frames would take up to 276480 bytes, over this tenant's limit of {ApiFactory.SmallMaxUnzippedBytes}", job.Error);
    }

    [Fact]
    public async Task A_playlist_named_clip_mp4_is_refused_without_a_request_to_what_it_names_or_a_word_of_the_server()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var playlist = $"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nhttp://127.0.0.1:{port}/segment.ts\n#EXT-X-ENDLIST\n";
            var client = api.ClientFor(ApiFactory.AcmeKey);

            using var response = await client.PostAsync("/v1/jobs", Jobs.Form([("clip.mp4", System.Text.Encoding.UTF8.GetBytes(playlist))]));

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{response.StatusCode}: {body}");
            var detail = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
            Assert.Contains("not a supported video container", detail);
            Assert.DoesNotContain("/", detail);
            foreach (var word in (string[])["ffprobe", "ffmpeg", "Exception", api.DataDirectory, "Invalid data"])
                Assert.DoesNotContain(word, body);
            Assert.False(listener.Pending(), "ffmpeg connected to the address the playlist named");
        }
        finally
        {
            listener.Stop();
        }
    }
}
