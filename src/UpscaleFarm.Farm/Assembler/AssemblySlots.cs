using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// The frames this assembler assembles at once (Assembler:ConcurrentFrames), shared by the progressive writers and the
/// FrameReady path, since each frame in progress holds its strips in memory whichever path assembles it; and the names
/// under which this process leases the frames it writes.
/// </summary>
public sealed class AssemblySlots(IOptions<FarmOptions> options)
{
    /// <summary>
    /// A name for one lease of a frame: this instance's, made unique, so that neither a restarted assembler with the same
    /// instance name nor another path of this process renews (or releases) a lease it did not take.
    /// </summary>
    public string NewLeaseHolder() => $"{options.Value.Instance}/{Guid.NewGuid():N}";

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.Assembler.ConcurrentFrames));

    public Task WaitAsync(CancellationToken cancellation) => _slots.WaitAsync(cancellation);

    public void Release() => _slots.Release();
}
