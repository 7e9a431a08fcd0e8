using System.IO.Compression;
using System.Net;
using NetVips;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>A .zip of frames becomes a frame set; zip-slip names, zip bombs and broken zips are refused.</summary>
[Collection(ApiCollection.Name)]
public sealed class ZipUploadTests(ApiFactory api)
{
    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
        return buffer.ToArray();
    }

    [Fact]
    public async Task The_images_of_a_zip_become_frames_in_name_order()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var zip = Zip(
            ("clip/f2.png", Jobs.Png("astronaut.png", 12, 10)),
            ("clip/f1.png", Jobs.Png("chelsea.png", 10, 8)),
            ("__MACOSX/clip/._f1.png", "resource fork"u8.ToArray()),
            ("clip/notes.txt", "not a frame"u8.ToArray()));

        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("clip.zip", zip)]))).Id);
        Assert.Equal(("completed", 2), (job.State, job.FramesTotal));

        using var result = new ZipArchive(new MemoryStream(await client.GetByteArrayAsync($"/v1/jobs/{job.Id:N}/result")));
        Assert.Equal(["f1.png", "f2.png"], result.Entries.Select(e => e.FullName));
        using var first = Image.NewFromStream(result.Entries[0].Open());
        Assert.Equal((40, 32), (first.Width, first.Height)); // f1 (10×8) is frame 0
    }

    [Theory]
    [InlineData("../../etc/evil.png")]
    [InlineData("/abs/evil.png")]
    [InlineData("frames\\..\\..\\evil.png")]
    public async Task A_zip_slip_entry_is_refused(string entryName)
    {
        var zip = Zip(("ok.png", Jobs.Png("chelsea.png", 8, 8)), (entryName, Jobs.Png("chelsea.png", 8, 8)));
        var problem = await Refusals.PostAsync(api.ClientFor(ApiFactory.AcmeKey), Jobs.Form([("frames.zip", zip)]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("zip-slip", problem.Detail);
    }

    [Fact]
    public async Task A_zip_bomb_is_refused()
    {
        // 5 MB of zeros deflate to a few kilobytes: under the byte limit for uploads, far over the one for inflated content.
        var zip = Zip(("bomb.png", new byte[5_000_000]));
        Assert.True(zip.Length < ApiFactory.SmallMaxUploadBytes);
        var problem = await Refusals.PostAsync(api.ClientFor(ApiFactory.SmallKey), Jobs.Form([("bomb.zip", zip)]), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"limit of {ApiFactory.SmallMaxUnzippedBytes} bytes", problem.Detail);
    }

    [Fact]
    public async Task A_broken_zip_or_one_without_images_is_refused()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var broken = Zip(("a.png", Jobs.Png("chelsea.png", 8, 8)))[..30];
        Assert.Contains("not a readable zip", (await Refusals.PostAsync(client, Jobs.Form([("broken.zip", broken)]), HttpStatusCode.UnprocessableEntity)).Detail);
        var empty = Zip(("readme.txt", "hello"u8.ToArray()));
        Assert.Contains("no PNG", (await Refusals.PostAsync(client, Jobs.Form([("empty.zip", empty)]), HttpStatusCode.UnprocessableEntity)).Detail);
    }
}
