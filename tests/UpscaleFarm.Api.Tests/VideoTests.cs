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
