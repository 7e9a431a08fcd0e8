using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Api.Uploads;

/// <summary>Starts the upload of one submission's files.</summary>
public sealed class JobUploads(FarmClient client, IOptions<FarmOptions> farm)
{
    public JobUpload Start(string tenant, Guid jobId, TenantOptions limits, QuotaLease quota) => new(client, farm.Value, tenant, jobId, limits, quota);
}
