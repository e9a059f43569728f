using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Support;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>
/// pmem unbind with XFS holding the disk: kill_dax's whole-device notification. 6.12 has
/// MF_MEM_PRE_REMOVE (drivers/dax/super.c: kill_dax()): freeze, kill every mapper, invalidate,
/// FORCE_UMOUNT, thaw. 6.1 notifies with flags 0: a whole-device media error, early kill only, and
/// the AG headers' records shut the filesystem down as corrupt.
/// </summary>
public sealed class XfsPreRemoveTests
{
    [Fact]
    public void Unbind_On612_FreezesKillsEveryMapperInvalidatesThenForceUmountsAndThaws()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.12"));
        var a = m.WriteFile("/a", 8192);
        m.WriteFile("/b", 4096);
        var p = m.Spawn(100, "app1");
        var q = m.Spawn(101, "app2");
        var w = m.Spawn(300, "unbinder");
        var pv = m.MapShared(p, "/a");
        var qv = m.MapShared(q, "/b");
        m.Touch(p, pv, 1);
        m.Touch(q, qv);

        var (decisions, log) = m.Record(() => m.Machine.Unbind(m.Pmem, w));

        var signals = XfsMachine.Signals(decisions);
        signals.Select(s => (s.Task.Pid, s.Code)).ShouldBe([(100, Signals.BUS_MCEERR_AO), (101, Signals.BUS_MCEERR_AO)], "pre-remove collects every mapper, early kill or not");
        decisions.OfType<PagePoisoned>().ShouldBeEmpty("no SetPageHWPoison on pre-remove");
        decisions.OfType<FileSystemChanged>().Select(f => f.Change).ShouldBe([
            "frozen (FREEZE_HOLDER_KERNEL)",
            "shut down: SHUTDOWN_FORCE_UMOUNT (0x4): Metadata I/O Error",
            "thawed (FREEZE_HOLDER_KERNEL)",
        ]);
        log.Where(l => l.StartsWith("XFS", StringComparison.Ordinal)).ShouldBe([
            "XFS (pmem0): Device is about to be removed!",
            "XFS (pmem0): User initiated shutdown received.",
            "XFS (pmem0): Metadata I/O Error (0x4) detected at xfs_dax_notify_ddev_failure (fs/xfs/xfs_notify_failure.c:316).  Shutting down filesystem.",
            "XFS (pmem0): Please unmount the filesystem and rectify the problem(s)",
        ], "metadata records are ignored on pre-remove: no corruption shutdown");
        decisions.OfType<HolderNotified>().ShouldHaveSingleItem().Result.ShouldBe(Errno.Ok);
        var mapping = (AddressSpace)m.Fs.Inodes.FindInCore(a)!.Mapping;
        mapping.Entries.InRange(new PageIndex(0), new PageIndex(ulong.MaxValue)).ShouldBeEmpty("invalidate_inode_pages2_range drops the clean entries");
        DecisionText.Render("unbind on 6.12", [("unbind by 300", decisions)]).ShouldMatchApprovedText();
    }

    [Fact]
    public void Unbind_On61_IsAWholeDeviceMediaError_EarlyKillOnly_AndShutsDownCorrupt()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.1"));
        m.WriteFile("/a", 8192);
        var p = m.Spawn(100, "default");
        var e = m.Spawn(101, "early");
        XfsMachine.SetEarlyKill(e);
        var w = m.Spawn(300, "unbinder");
        var pv = m.MapShared(p, "/a");
        var ev = m.MapShared(e, "/a");
        m.Touch(p, pv);
        m.Touch(e, ev, 1);

        var (decisions, log) = m.Record(() => m.Machine.Unbind(m.Pmem, w));

        decisions.OfType<HolderNotified>().ShouldHaveSingleItem().Flags.ShouldBe(MfFlags.None, "6.1's kill_dax passes flags 0");
        XfsMachine.Signals(decisions).ShouldHaveSingleItem().Task.Pid.ShouldBe(101, "only early kill: it is handled as a media error");
        decisions.OfType<PagePoisoned>().ShouldNotBeEmpty("a media error marks the mapped pages HWPoison");
        log.ShouldContain("XFS (pmem0): Corruption of on-disk metadata (0x10) detected at xfs_dax_notify_failure (fs/xfs/xfs_notify_failure.c:169).  Shutting down filesystem.", "6.1.192 inlines xfs_dax_notify_ddev_failure(): %pS names its caller");
        log.ShouldNotContain("XFS (pmem0): Device is about to be removed!");
        decisions.OfType<HolderNotified>().Single().Result.ShouldBe(Errno.EFSCORRUPTED, "the AG headers are metadata: want_shutdown");
        DecisionText.Render("unbind on 6.1", [("unbind by 300", decisions)]).ShouldMatchApprovedText();
    }

    [Fact]
    public void Unbind_On612_AlreadyFrozenByTheKernel_SaysSo_AndStillThawsUserspace()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.12"));
        m.Mount.SuperBlock.FreezeSuper(Abstractions.Kernel.FreezeHolder.Kernel).ShouldBe(Errno.Ok);
        m.Mount.SuperBlock.FreezeSuper(Abstractions.Kernel.FreezeHolder.Userspace).ShouldBe(Errno.Ok);

        var (_, log) = m.Record(() => m.Machine.Unbind(m.Pmem, m.Spawn(300, "unbinder")));

        log.ShouldContain("XFS (pmem0): already frozen by kernel, err=-16");
        m.Mount.SuperBlock.IsFrozen.ShouldBeTrue("the kernel's own earlier freeze is not ours to thaw");
        log.ShouldNotContain(l => l.Contains("still frozen", StringComparison.Ordinal));
    }
}
