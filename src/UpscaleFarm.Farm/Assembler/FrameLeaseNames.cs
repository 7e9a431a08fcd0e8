using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>The names under which this process leases the frames it writes (<see cref="FrameLease"/>).</summary>
public sealed class FrameLeaseNames(IOptions<FarmOptions> options)
{
    /// <summary>
    /// A name for one lease of a frame: this instance's, made unique, so that neither a restarted assembler with the same
    /// instance name nor another path of this process renews (or releases) a lease it did not take.
    /// </summary>
    public string NewHolder() => $"{options.Value.Instance}/{Guid.NewGuid():N}";
}
