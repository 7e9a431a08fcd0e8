using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// Takes one uploaded file into a job: it is streamed to a scratch file under the job's byte budget,
/// its header is checked against the tenant's limits (format, pixels; nothing decoded), and only then
/// is it stored as the job's next frame. A bad file is refused before the job exists.
/// </summary>
public sealed class FrameUploads(FarmClient client, IOptions<FarmOptions> farm)
{
    public async Task<FrameSource> AddAsync(string tenant, Guid jobId, int frame, string name, Stream content, ByteBudget budget, TenantOptions limits,
        CancellationToken cancellation)
    {
        var directory = Path.Combine(farm.Value.ScratchDirectory, "uploads");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{jobId:N}-{frame}{Path.GetExtension(name).ToLowerInvariant()}");
        try
        {
            await CopyAsync(content, path, budget, cancellation);
            Check(path, name, limits);
            await using var file = File.OpenRead(path);
            return await client.UploadFrameAsync(tenant, jobId, frame, name, file, cancellation);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task CopyAsync(Stream content, string path, ByteBudget budget, CancellationToken cancellation)
    {
        await using var file = File.Create(path);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellation)) > 0)
        {
            budget.Spend(read);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
        }
    }

    private void Check(string path, string name, TenantOptions limits)
    {
        var global = farm.Value.Limits;
        var imageLimits = new ImageLimits
        {
            MaxInputPixels = Math.Min(limits.MaxPixels, global.MaxInputPixels), MaxInputBytes = global.MaxInputBytes, MaxSide = global.MaxSide,
        };
        try
        {
            SourceImage.Open(path, imageLimits, name).Dispose();
        }
        catch (ImageInputException e)
        {
            throw UploadRejectedException.Unprocessable(e.Message);
        }
    }
}
