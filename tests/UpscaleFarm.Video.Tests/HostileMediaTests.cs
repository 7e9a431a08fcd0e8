using UpscaleFarm.Video;

namespace UpscaleFarm.Video.Tests;

/// <summary>
/// Files that name other files or URLs for ffmpeg to open (the attack of issue 11), or that lie about
/// themselves: each is refused with a plain message, nothing named is opened (a real clip on disk, a
/// listener on loopback), and ffmpeg's words stay out of the message.
/// </summary>
public sealed class HostileMediaTests : IDisposable
{
    private readonly MediaScratch _scratch = new();
    private readonly LoopbackListener _listener = new();

    public void Dispose()
    {
        _listener.Dispose();
        _scratch.Dispose();
    }

    /// <summary>Reference formats, each naming either a real clip elsewhere on disk or the loopback listener.</summary>
    public static TheoryData<string, bool> References => new()
    {
        { "hls", true }, { "hls", false }, { "dash", true }, { "dash", false }, { "ffconcat", true }, { "ffconcat", false }, { "sdp", false },
    };

    [Theory]
    [MemberData(nameof(References))]
    public async Task A_reference_file_named_mp4_is_refused_and_what_it_names_is_never_opened(string format, bool toFile)
    {
        var target = await _scratch.FiveFramesAsync("elsewhere-target.mp4");
        var url = toFile ? new Uri(target).AbsoluteUri : _listener.Url("segment.mp4");
        var content = format switch
        {
            "hls" => $"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{url}\n#EXT-X-ENDLIST\n",
            "dash" => $"<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT1S\">" +
                $"<Period><AdaptationSet mimeType=\"video/mp4\"><Representation id=\"1\" bandwidth=\"1000\" width=\"64\" height=\"48\">" +
                $"<BaseURL>{url}</BaseURL></Representation></AdaptationSet></Period></MPD>\n",
            "ffconcat" => $"ffconcat version 1.0\nfile '{url}'\n",
            _ => $"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video {_listener.Port} RTP/AVP 96\na=rtpmap:96 H264/90000\n",
        };
        var clip = _scratch.Text("clip.mp4", content);

        var e = await Assert.ThrowsAsync<VideoException>(() => VideoPipeline.ReadAsync(clip, _scratch.PathOf("frames")));

        Assert.Equal(MediaContainer.Unsupported, e.Message);
        VideoPipeline.AssertUserMessage(e, _scratch.Directory);
        Assert.False(Directory.Exists(_scratch.PathOf("frames")), "frames were cut from the file the reference named");
        Assert.Equal(0, _listener.Connections);
    }

    [Fact]
    public async Task An_avi_header_in_front_of_a_playlist_reaches_only_the_avi_demuxer_which_refuses_it()
    {
        var target = await _scratch.FiveFramesAsync("elsewhere-target.mp4");
        var playlist = $"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{new Uri(target).AbsoluteUri}\n#EXTINF:1.0,\n{_listener.Url("b.ts")}\n#EXT-X-ENDLIST\n";
        var body = System.Text.Encoding.ASCII.GetBytes(playlist);
        // RIFF, the size of what follows, AVI , then the playlist where the hdrl list should be.
        var riff = new List<byte>("RIFF"u8.ToArray());
        riff.AddRange(BitConverter.GetBytes(4 + body.Length));
        riff.AddRange("AVI "u8.ToArray());
        riff.AddRange(body);
        var clip = _scratch.PathOf("clip.avi");
        await File.WriteAllBytesAsync(clip, riff.ToArray());
        Assert.Same(MediaContainer.Avi, MediaContainer.Sniff(clip));

        var e = await Assert.ThrowsAsync<VideoException>(() => VideoPipeline.ReadAsync(clip, _scratch.PathOf("frames")));

        // The AVI demuxer finds no stream list where the playlist is: no stream at all, or nothing it can parse.
        Assert.Contains(e.Message, (string[])[VideoProbe.Unreadable, "no video stream"]);
        VideoPipeline.AssertUserMessage(e, _scratch.Directory);
        Assert.False(Directory.Exists(_scratch.PathOf("frames")), "frames were cut from what the playlist named");
        Assert.Equal(0, _listener.Connections);
    }

    [Fact]
    public async Task A_matroska_file_named_mp4_is_read_as_matroska()
    {
        var clip = await _scratch.FiveFramesAsync("clip.mp4", format: "matroska");

        var (info, times, frames) = await VideoPipeline.ReadAsync(clip, _scratch.PathOf("frames"));

        Assert.Same(MediaContainer.Matroska, info.Container);
        Assert.Equal((64, 48), (info.Width, info.Height));
        Assert.Equal(5, times.Count);
        Assert.Equal(5, frames.Count);
    }

    [Fact]
    public async Task An_image_pattern_is_refused_and_a_percent_in_a_name_is_only_a_name()
    {
        for (var i = 1; i <= 3; i++)
            await _scratch.ClipAsync($"seq{i:D3}.png", "-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1");
        var pattern = _scratch.PathOf("seq%03d.png");
        File.Copy(_scratch.PathOf("seq001.png"), pattern);
        var e = await Assert.ThrowsAsync<VideoException>(() => VideoPipeline.ReadAsync(pattern, _scratch.PathOf("frames")));
        Assert.Equal(MediaContainer.Unsupported, e.Message);

        // A real clip whose name looks like a pattern is that one file (five frames), not a sequence.
        var clip = await _scratch.FiveFramesAsync("clip%03d.mp4");
        var (_, times, frames) = await VideoPipeline.ReadAsync(clip, _scratch.PathOf("clip-frames"));
        Assert.Equal(5, times.Count);
        Assert.Equal(5, frames.Count);
    }

    [Fact]
    public async Task Only_the_first_video_stream_is_decoded_when_a_second_is_larger()
    {
        var clip = await _scratch.ClipAsync("two.mkv", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=10",
            "-map", "0", "-map", "1", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p");

        var (info, times, frames) = await VideoPipeline.ReadAsync(clip, _scratch.PathOf("frames"));

        Assert.Equal((64, 48), (info.Width, info.Height));
        Assert.Equal(5, times.Count);
        Assert.Equal(5, frames.Count);
        foreach (var frame in frames)
            Assert.Equal((64, 48), PngSize(frame));
    }

    [Fact]
    public async Task No_more_frames_than_the_limit_are_ever_cut_whatever_the_header_says()
    {
        var clip = await _scratch.FiveFramesAsync("clip.mp4");
        var info = await VideoProbe.ProbeAsync(clip, MediaLimits.Default, CancellationToken.None);
        // As a header understating its frames would be believed: the count is asked for 3 and must show there are more.
        var times = await VideoProbe.FrameTimesAsync(clip, info, 3, MediaLimits.Default, CancellationToken.None);
        Assert.True(times.Count > 3, $"{times.Count} timestamps with a limit of 3: the excess was not seen");

        var frames = await FrameExtractor.ExtractAsync(clip, info, _scratch.PathOf("frames"), 3, MediaLimits.Default, CancellationToken.None);

        Assert.Equal(3, frames.Count);
        Assert.Equal(3, Directory.GetFiles(_scratch.PathOf("frames")).Length);
    }

    [Fact]
    public async Task A_truncated_mp4_fails_clearly()
    {
        var clip = await _scratch.FiveFramesAsync("whole.mp4");
        var bytes = await File.ReadAllBytesAsync(clip);
        var truncated = _scratch.PathOf("clip.mp4");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);

        var e = await Assert.ThrowsAsync<VideoException>(() => VideoPipeline.ReadAsync(truncated, _scratch.PathOf("frames")));

        Assert.Equal(VideoProbe.Unreadable, e.Message);
        VideoPipeline.AssertUserMessage(e, _scratch.Directory);
        Assert.Contains("moov", e.Detail);
    }

    [Fact]
    public async Task An_empty_file_is_refused_before_ffmpeg_runs()
    {
        var empty = _scratch.Text("clip.mp4", "");

        var e = await Assert.ThrowsAsync<VideoException>(() => VideoPipeline.ReadAsync(empty, _scratch.PathOf("frames")));

        Assert.Equal(MediaContainer.Unsupported, e.Message);
        Assert.Null(e.Detail);
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(16, 8);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header[4..]));
    }
}
