using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NetVips;
using UpscaleFarm.Api.Apis;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Api.Webhooks;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Hostile tenants, second round: what a small upload could make the API or the embedded farm hold or store. Each test
/// states its ceiling; each was found over it (or accepted) before the limit it checks. Some ceilings are on what the
/// process allocates, so the class runs alone (<see cref="MeasuredCollection"/>).
/// </summary>
[Collection(MeasuredCollection.Name)]
public sealed class HostileTenantTests(ApiFactory api)
{
    /// <summary>
    /// A profile of about 900 KB (under the 1 MB limit) that zlib packs into a few kilobytes of PNG: 8 frames of it once
    /// put 7 MB into the job store, and every frame listing read them all.
    /// </summary>
    [Fact]
    public async Task An_icc_profile_is_stored_once_per_job_outside_the_job_store_and_a_huge_one_is_refused()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var profile = PaddedProfile(900_000);
        var frames = Enumerable.Range(0, 8).Select(i => ($"f{i}.png", TaggedPng(profile, 16 + i))).ToList();
        Assert.All(frames, f => Assert.True(f.Item2.Length < 20_000, $"{f.Item2.Length} bytes"));
        var database = JobStoreBytes();

        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form(frames))).Id);
        Assert.Equal("completed", job.State);

        // Ceiling: 1 MB of job-store growth for the job's rows (the profiles were 7.2 MB of it).
        Assert.InRange(JobStoreBytes() - database, -1_000_000, 1_000_000);
        var profiles = Directory.GetFiles(Path.Combine(api.DataDirectory, "objects", "tenants", "acme", "jobs", job.Id.ToString("N"), "icc"));
        Assert.Equal(profile.Length, new FileInfo(Assert.Single(profiles)).Length);
        using (var result = Image.NewFromBuffer(await client.GetByteArrayAsync($"/v1/jobs/{job.Id:N}/frames/3/result")))
            Assert.Equal(profile, (byte[])result.Get("icc-profile-data"));

        // Ceiling: listing the frames three times allocates under 8 MB, the embedded farm's idle work included (it read 21 MB of profiles).
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < 3; i++)
            Assert.Equal(8, (await client.GetFromJsonAsync<List<FrameView>>($"/v1/jobs/{job.Id:N}/frames", ApiJson.Options))!.Count);
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - allocated, 0, 8_000_000);

        var huge = await Refusals.PostAsync(client, Jobs.Form([("huge.png", TaggedPng(PaddedProfile(1_500_000), 16))]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("ICC profile is 1500000 bytes, over the limit of 1048576 bytes", huge.Detail);
    }

    /// <summary>
    /// 250 000 empty entries in 25 MB: as a directory in memory, about 140 MB before any count was checked. Refused from
    /// the count the zip declares, or, when that lies, at the 21 001st record read.
    /// </summary>
    [Theory]
    [InlineData(250_000L, "the zip declares 250000 entries; at most 21000 are accepted")]
    [InlineData(10L, "the zip holds more than 21000 entries")]
    public async Task A_zip_with_a_huge_directory_is_refused_while_its_directory_is_read(long declared, string reason)
    {
        var form = Jobs.Form([("many.zip", ZipOfEmptyEntries(250_000, declared))]);
        await form.LoadIntoBufferAsync(); // the test client's own copy of the body, outside the measurement
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var problem = await Refusals.PostAsync(api.ClientFor(ApiFactory.AcmeKey), form, HttpStatusCode.RequestEntityTooLarge);
        // Ceiling: the body's own size (the test server copies it once) and 15 MB more; the directory alone was 140 MB.
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - allocated, 0, form.Headers.ContentLength!.Value + 15_000_000);
        Assert.Contains(reason, problem.Detail);
    }

    /// <summary>A receiver that answers 200 and then streams without end: its body was buffered, up to 2 GB.</summary>
    [Fact]
    public async Task A_webhook_receivers_body_is_never_read()
    {
        using var receiver = new EndlessReceiver();
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("hook.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", $"http://127.0.0.1:{receiver.Port}/hook")));
        await Jobs.WaitAsync(client, job.Id);

        var store = api.Services.GetRequiredService<WebhookStore>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await store.GetWebhooksAsync(job.Id)).FirstOrDefault() is not { State: WebhookDeliveryState.Delivered })
        {
            Assert.True(DateTime.UtcNow < deadline, "the delivery was not recorded as delivered");
            await Task.Delay(100);
        }
        // Ceiling: the receiver got out at most 32 MB (what loopback's socket buffers take) before the API hung up.
        await receiver.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(receiver.BytesSent, 1, 32L << 20);
        Assert.Equal(1, (await store.GetWebhooksAsync(job.Id))[0].Attempts);
    }

    [Fact]
    public async Task Event_streams_are_capped_per_tenant()
    {
        var client = api.ClientFor(ApiFactory.HostileKey);
        // 256 tiles of the real model: seconds of work, so the streams stay open while the job runs.
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("long.png", Jobs.Png("camera.png", 256, 256))], ("tile", "16"), ("halo", "4"), ("scale", "1")));
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < ApiFactory.HostileMaxEventStreams; i++)
            {
                open.Add(await client.GetAsync($"/v1/jobs/{job.Id:N}/events", HttpCompletionOption.ResponseHeadersRead));
                Assert.Equal(HttpStatusCode.OK, open[^1].StatusCode);
            }
            using (var refused = await client.GetAsync($"/v1/jobs/{job.Id:N}/events", HttpCompletionOption.ResponseHeadersRead))
                Assert.Contains($"already has {ApiFactory.HostileMaxEventStreams} event streams open", await Refusals.BodyAsync(refused, HttpStatusCode.TooManyRequests));
            // Another tenant is not counted against it.
            using (var other = await api.ClientFor(ApiFactory.AdminKey).GetAsync($"/v1/jobs/{job.Id:N}/events", HttpCompletionOption.ResponseHeadersRead))
                Assert.Equal(HttpStatusCode.OK, other.StatusCode);

            // A stream closed by its client frees its place.
            open[0].Dispose();
            open.RemoveAt(0);
            var watcher = api.Services.GetRequiredService<Events.JobWatcher>();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (watcher.StreamsOf("hostile") >= ApiFactory.HostileMaxEventStreams)
            {
                Assert.True(DateTime.UtcNow < deadline, "a closed stream kept its place");
                await Task.Delay(50);
            }
            open.Add(await client.GetAsync($"/v1/jobs/{job.Id:N}/events", HttpCompletionOption.ResponseHeadersRead));
            Assert.Equal(HttpStatusCode.OK, open[^1].StatusCode);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
            (await client.DeleteAsync($"/v1/jobs/{job.Id:N}?purge=true")).Dispose();
        }
    }

    [Theory]
    [InlineData("x%0A")]
    [InlineData("x%0D")]
    [InlineData("%E2%80%AEgnp.exe")]
    public async Task An_upload_name_with_a_line_break_or_control_character_is_refused(string name)
    {
        using var put = await api.ClientFor(ApiFactory.BetaKey).PutAsync($"/v1/uploads/{name}", new ByteArrayContent([1, 2, 3]));
        Assert.Contains("an upload name is", await Refusals.BodyAsync(put, HttpStatusCode.BadRequest));
        Assert.Empty(Directory.Exists(Path.Combine(api.DataDirectory, "objects", "tenants", "beta", "uploads"))
            ? Directory.GetFiles(Path.Combine(api.DataDirectory, "objects", "tenants", "beta", "uploads"), "x*") : []);
    }

    [Fact]
    public async Task Multipart_file_names_become_safe_base_names()
    {
        var client = api.ClientFor(ApiFactory.BetaKey);
        var form = new MultipartFormDataContent();
        // A Windows path, a right-to-left override (sent UTF-8 encoded, as filename*) and a tab.
        foreach (var (name, encoded) in new[] { (@"..\..\..\evil.png", false), ("bidi\u202Egnp.png", true), ("tab\tname.png", false), ("odd.pñg", true) })
        {
            var part = new ByteArrayContent(Jobs.Png("chelsea.png", 8, 8));
            part.Headers.ContentDisposition = encoded
                ? new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data") { Name = "\"files\"", FileNameStar = name }
                : new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data") { Name = "\"files\"", FileName = $"\"{name}\"" };
            form.Add(part);
        }
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, form)).Id);
        Assert.Equal("completed", job.State);
        var frames = await client.GetFromJsonAsync<List<FrameView>>($"/v1/jobs/{job.Id:N}/frames", ApiJson.Options);
        Assert.Equal(["evil.png", "bidignp.png", "tabname.png", "odd.pñg"], frames!.Select(f => f.Name));
        using var result = new ZipArchive(new MemoryStream(await client.GetByteArrayAsync($"/v1/jobs/{job.Id:N}/result")));
        Assert.Equal(["evil.png", "bidignp.png", "tabname.png", "odd.png"], result.Entries.Select(e => e.FullName));
    }

    /// <summary>12 frames of 16² at scale 16 from a 6 KB upload: 2.4 MB of results against a 400 KB quota once passed.</summary>
    [Fact]
    public async Task Results_are_reserved_against_the_quota_at_submission_and_released_when_the_job_ends()
    {
        var client = api.ClientFor(ApiFactory.HostileKey);
        await PurgeAllAsync(client);
        var frames = Enumerable.Range(0, 12).Select(i => ($"f{i}.png", Jobs.Png("astronaut.png", 16, 16))).ToList();
        var refused = await Refusals.PostAsync(client, Jobs.Form(frames, ("scale", "16")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"stored bytes with this job's results would pass its quota of {ApiFactory.HostileMaxStoredBytes}", refused.Detail);
        Assert.Contains("DELETE /v1/jobs/ID?purge=true", refused.Detail); // the API's own route is not scrubbed as a server path
        Assert.False(Directory.Exists(Path.Combine(api.DataDirectory, "objects", "tenants", "hostile", "jobs"))
            && Directory.EnumerateFiles(Path.Combine(api.DataDirectory, "objects", "tenants", "hostile", "jobs"), "*", SearchOption.AllDirectories).Any());

        // Within the quota: reserved while it runs (the source counts, its results are covered), released when it ends.
        var submitted = await Jobs.SubmitAsync(client, Jobs.Form([("one.png", Jobs.Png("astronaut.png", 16, 16))]));
        var reserved = (await api.Services.GetRequiredService<IJobStore>().GetJobAsync(submitted.Id))!.ReservedBytes;
        using (var source = Image.NewFromBuffer(Jobs.Png("astronaut.png", 16, 16)))
            Assert.Equal(64 * 64 * 3 + 64 * 64 * 3 / 16 + 4096 + ((byte[])source.Get("icc-profile-data")).Length, reserved); // the result and its profile
        await Jobs.WaitAsync(client, submitted.Id);
        var quotas = api.Services.GetRequiredService<TenantQuotas>();
        var stored = Directory.EnumerateFiles(Path.Combine(api.DataDirectory, "objects", "tenants", "hostile"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.Equal(stored, await quotas.StoredBytesAsync("hostile", CancellationToken.None));
    }

    [Fact]
    public async Task A_tenants_scratch_space_is_bounded_and_released()
    {
        var client = api.ClientFor(ApiFactory.HostileKey);
        var quotas = api.Services.GetRequiredService<TenantQuotas>();
        var refused = await Refusals.PostAsync(client, Jobs.Form([("big.png", new byte[ApiFactory.HostileMaxScratchBytes + 50_000])]), HttpStatusCode.TooManyRequests);
        Assert.Contains($"more than {ApiFactory.HostileMaxScratchBytes} bytes of scratch space", refused.Detail);
        Assert.Equal(0, quotas.ScratchBytes("hostile"));
        Assert.Empty(Directory.Exists(Path.Combine(api.DataDirectory, "scratch", "uploads"))
            ? Directory.GetFiles(Path.Combine(api.DataDirectory, "scratch", "uploads")) : []);
    }

    private async Task PurgeAllAsync(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<JobPage>("/v1/jobs?pageSize=500", ApiJson.Options);
        foreach (var job in page!.Items)
            (await client.DeleteAsync($"/v1/jobs/{job.Id:N}?purge=true")).Dispose();
    }

    private long JobStoreBytes() =>
        new[] { "farm.db", "farm.db-wal" }.Select(f => new FileInfo(Path.Combine(api.DataDirectory, f))).Where(f => f.Exists).Sum(f => f.Length);

    /// <summary>A real profile (Display P3) grown to <paramref name="length"/> bytes, its size field set to match.</summary>
    private static byte[] PaddedProfile(int length)
    {
        var profile = Image.ProfileLoad("p3").ToArray();
        var padded = new byte[length];
        profile.CopyTo(padded, 0);
        BinaryPrimitives.WriteUInt32BigEndian(padded, (uint)length);
        return padded;
    }

    private static byte[] TaggedPng(byte[] profile, int size)
    {
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(UpscaleFarm.Testing.RepoPaths.SharedImage("chelsea.png"));
        using var crop = source.Crop(0, 0, size, size);
        using var tagged = crop.Mutate(m => m.Set(GValue.BlobType, "icc-profile-data", profile));
        return tagged.PngsaveBuffer();
    }

    /// <summary>A Zip64 archive of <paramref name="count"/> empty stored entries, written record by record, whose end record says it has <paramref name="declared"/>.</summary>
    private static byte[] ZipOfEmptyEntries(int count, long declared)
    {
        using var zip = new MemoryStream();
        using var writer = new BinaryWriter(zip);
        var offsets = new long[count];
        byte[] Name(int i) => Encoding.ASCII.GetBytes($"e/{i:D7}.txt");
        for (var i = 0; i < count; i++)
        {
            offsets[i] = zip.Position;
            writer.Write(0x04034b50u); writer.Write((ushort)20); writer.Write((ushort)0); writer.Write((ushort)0); writer.Write(0u);
            writer.Write(0u); writer.Write(0u); writer.Write(0u); writer.Write((ushort)Name(i).Length); writer.Write((ushort)0); writer.Write(Name(i));
        }
        var directory = zip.Position;
        for (var i = 0; i < count; i++)
        {
            writer.Write(0x02014b50u); writer.Write((ushort)45); writer.Write((ushort)20); writer.Write((ushort)0); writer.Write((ushort)0); writer.Write(0u);
            writer.Write(0u); writer.Write(0u); writer.Write(0u); writer.Write((ushort)Name(i).Length); writer.Write((ushort)0); writer.Write((ushort)0);
            writer.Write((ushort)0); writer.Write((ushort)0); writer.Write(0u); writer.Write((uint)offsets[i]); writer.Write(Name(i));
        }
        var directorySize = zip.Position - directory;
        var zip64End = zip.Position;
        writer.Write(0x06064b50u); writer.Write(44L); writer.Write((ushort)45); writer.Write((ushort)45); writer.Write(0u); writer.Write(0u);
        writer.Write(declared); writer.Write(declared); writer.Write(directorySize); writer.Write(directory);
        writer.Write(0x07064b50u); writer.Write(0u); writer.Write(zip64End); writer.Write(1u);
        writer.Write(0x06054b50u); writer.Write((ushort)0); writer.Write((ushort)0); writer.Write(ushort.MaxValue); writer.Write(ushort.MaxValue);
        writer.Write(uint.MaxValue); writer.Write(uint.MaxValue); writer.Write((ushort)0);
        writer.Flush();
        return zip.ToArray();
    }

    /// <summary>An HTTP receiver on loopback that answers 200 to one request and then sends a chunked body until the client hangs up.</summary>
    private sealed class EndlessReceiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _sent;

        public EndlessReceiver()
        {
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public long BytesSent => Interlocked.Read(ref _sent);
        public Task Stopped => _stopped.Task;

        private async Task ServeAsync()
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var request = new List<byte>();
                var buffer = new byte[8192];
                while (!Encoding.ASCII.GetString([.. request]).Contains("\r\n\r\n"))
                    request.AddRange(buffer.AsSpan(0, await stream.ReadAsync(buffer)).ToArray());
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray());
                var chunk = Encoding.ASCII.GetBytes($"{1 << 16:x}\r\n").Concat(new byte[1 << 16]).Concat("\r\n"u8.ToArray()).ToArray();
                // Bounded: 4 GB at most, or 60 s, whichever first; a client that keeps reading fails the test's ceiling long before.
                var until = DateTime.UtcNow.AddSeconds(60);
                while (_sent < (4L << 30) && DateTime.UtcNow < until)
                {
                    await stream.WriteAsync(chunk);
                    Interlocked.Add(ref _sent, chunk.Length);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The client hung up: what it was sent is counted.
            }
            finally
            {
                _stopped.TrySetResult();
            }
        }

        public void Dispose() => _listener.Stop();
    }
}
