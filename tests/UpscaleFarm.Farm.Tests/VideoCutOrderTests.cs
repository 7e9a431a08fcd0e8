using UpscaleFarm.Farm.Coordinator;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// Which waiting video cut a coordinator takes next (<see cref="VideoCutService.Next"/>): tenant by tenant, so one tenant's
/// many videos hold one place while another tenant's wait; then priority, then age; never one leased or not yet due.
/// </summary>
public sealed class VideoCutOrderTests
{
    private const long Now = 10_000;
    private static readonly Dictionary<string, long> NoneStarted = [];

    private static QueuedVideoCut Cut(string tenant, long createdMs, int priority = 5, long leaseUntilMs = 0) =>
        new() { JobId = Guid.NewGuid(), Tenant = tenant, Priority = priority, CreatedMs = createdMs, LeaseUntilMs = leaseUntilMs };

    [Fact]
    public void A_tenant_with_a_cut_running_waits_behind_every_tenant_without_one_whatever_their_age_or_priority()
    {
        QueuedVideoCut[] cuts = [Cut("a", 100, leaseUntilMs: Now + 1), Cut("a", 200, priority: 9), Cut("a", 300), Cut("b", 900, priority: 1)];

        Assert.Equal(cuts[3], VideoCutService.Next(cuts, Now, NoneStarted, _ => true));
        // b's running too: a's own order again, by priority first.
        Assert.Equal(cuts[1], VideoCutService.Next([.. cuts[..3], cuts[3] with { LeaseUntilMs = Now + 1 }], Now, NoneStarted, _ => true));
    }

    [Fact]
    public void Of_tenants_with_none_running_the_one_served_longer_ago_goes_first_then_priority_then_age()
    {
        QueuedVideoCut[] cuts = [Cut("a", 100), Cut("a", 200), Cut("b", 300), Cut("c", 400, priority: 7), Cut("c", 50, priority: 7)];

        // Never served here: the highest priority, then the oldest.
        Assert.Equal(cuts[4], VideoCutService.Next(cuts, Now, NoneStarted, _ => true));
        // c served last, a before it, b never.
        Dictionary<string, long> started = new() { ["a"] = 5_000, ["c"] = 6_000 };
        Assert.Equal(cuts[2], VideoCutService.Next(cuts, Now, started, _ => true));
        Assert.Equal(cuts[0], VideoCutService.Next(cuts.Where(c => c.Tenant != "b").ToList(), Now, started, _ => true));
    }

    [Fact]
    public void A_lease_that_ran_out_is_free_and_a_cut_not_yet_due_is_passed_over()
    {
        QueuedVideoCut[] cuts = [Cut("a", 100, leaseUntilMs: Now), Cut("b", 200)];

        Assert.Equal(cuts[0], VideoCutService.Next(cuts, Now, NoneStarted, _ => true));
        Assert.Equal(cuts[1], VideoCutService.Next(cuts, Now, NoneStarted, id => id != cuts[0].JobId));
        Assert.Null(VideoCutService.Next(cuts, Now, NoneStarted, _ => false));
        Assert.Null(VideoCutService.Next([Cut("a", 100, leaseUntilMs: Now + 1)], Now, NoneStarted, _ => true));
    }
}
