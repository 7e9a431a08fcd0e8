using System.Text;
using UpscaleFarm.Video;

namespace UpscaleFarm.Video.Tests;

/// <summary>The container is known from a file's first bytes; everything but the three video containers is none.</summary>
public sealed class MediaContainerTests
{
    public static TheoryData<string, string?> Heads => new()
    {
        { "00000020 66747970 69736F6D", "mov" }, // ftyp isom
        { "00000008 6D6F6F76", "mov" }, // a QuickTime file starting with moov
        { "00000000 6D646174", "mov" }, // mdat to the end of the file
        { "00000008 77696465", "mov" }, // wide
        { "1A45DFA3 9F428681", "matroska" },
        { "52494646 10000000 41564920", "avi" }, // RIFF .... AVI
        { "52494646 10000000 57415645", null }, // RIFF .... WAVE: audio, not video
        { "00000004 66747970", null }, // a box smaller than its own header
        { "89504E47 0D0A1A0A", null }, // PNG
        { "", null },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Binary_heads(string hex, string? demuxer) =>
        Assert.Equal(demuxer, MediaContainer.Sniff(Convert.FromHexString(hex.Replace(" ", "")))?.Demuxer);

    [Theory]
    [InlineData("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n")]
    [InlineData("<?xml version=\"1.0\"?><MPD/>")]
    [InlineData("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"/>")]
    [InlineData("ffconcat version 1.0\nfile a.mp4\n")]
    [InlineData("v=0\no=- 0 0 IN IP4 127.0.0.1\n")]
    [InlineData("ftyp")]
    public void Text_formats_are_no_container(string text) => Assert.Null(MediaContainer.Sniff(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_files_name_does_not_decide()
    {
        var path = Path.Combine(Path.GetTempPath(), $"upscalefarm-sniff-{Guid.NewGuid():N}.mp4");
        try
        {
            File.WriteAllBytes(path, Convert.FromHexString("1A45DFA39F428681"));
            Assert.Same(MediaContainer.Matroska, MediaContainer.Sniff(path));
            File.WriteAllText(path, "#EXTM3U\n");
            Assert.Equal(MediaContainer.Unsupported, Assert.Throws<VideoException>(() => MediaContainer.Sniff(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Inputs_are_opened_over_the_file_protocol_with_one_demuxer_and_mov_references_off()
    {
        var arguments = MediaContainer.Mov.InputArguments("/srv/x.mp4");

        Assert.Equal(["-protocol_whitelist", "file", "-format_whitelist", "mov", "-f", "mov", "-enable_drefs", "0", "-use_absolute_path", "0", "-i", "file:/srv/x.mp4"],
            arguments);
    }
}
