using DaxHolder.Abstractions;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>Device unbind: kill_dax's holder notification and the teardown order (drivers/dax/super.c: kill_dax(), drivers/nvdimm/pmem.c: pmem_release_disk(), mm/memremap.c: memunmap_pages(); no public test suite covers unbind).</summary>
public sealed class UnbindTests
{
    /// <summary>xfs_dax_notify_failure() with MF_MEM_PRE_REMOVE (merged for 6.7): on 6.12 pre-remove revokes every mapping and signals every mapper AO when the unbinder maps nothing.</summary>
    [Fact]
    public void Unbind_On612_RevokesEveryMapping_SignalsEveryMapperAo()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "app1");
        var q = m.Spawn(101, "app2");
        var w = m.Spawn(300, "unbinder");
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);

        var (decisions, _) = m.Record(() => m.Machine.Unbind(m.Pmem, w));

        var signals = TestMachine.Signals(decisions);
        signals.Select(s => s.Task.Pid).ShouldBe([100, 101], "pre-remove takes every process with the page mapped, early kill or not");
        signals.ShouldAllBe(s => s.Code == Signals.BUS_MCEERR_AO);
        TestMachine.Leaf(p, pv).ShouldBeNull();
        TestMachine.Leaf(q, qv).ShouldBeNull();
    }

    /// <summary>kill_proc() under MF_MEM_PRE_REMOVE: AR goes only to the unbind writer, when it is itself a mapper; the others get AO.</summary>
    [Fact]
    public void Unbind_On612_WriterThatMaps_GetsAr_OthersAo()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "unbinder");
        var q = m.Spawn(101, "app");
        m.Touch(p, m.MapShared(p, "/f", huge: false));
        m.Touch(q, m.MapShared(q, "/f", huge: false));

        var (decisions, _) = m.Record(() => m.Machine.Unbind(m.Pmem, p));

        var signals = TestMachine.Signals(decisions);
        signals.Single(s => s.Task.Pid == 100).Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signals.Single(s => s.Task.Pid == 101).Code.ShouldBe(Signals.BUS_MCEERR_AO);
    }

    /// <summary>drivers/dax/super.c: kill_dax() and mf_dax_kill_procs(): 6.12's kill_dax notifies with MF_MEM_PRE_REMOVE, and no page is marked HWPoison.</summary>
    [Fact]
    public void Unbind_On612_NotifiesPreRemove_NoHwpoison()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "app");
        m.Touch(p, m.MapShared(p, "/f", huge: false));

        var (decisions, _) = m.Record(() => m.Machine.Unbind(m.Pmem, m.Spawn(300, "unbinder")));

        var notified = decisions.OfType<HolderNotified>().ShouldHaveSingleItem();
        notified.Flags.ShouldBe(MfFlags.MemPreRemove);
        notified.Offset.ShouldBe(DeviceOffset.Zero);
        notified.Length.ShouldBe(ByteLength.Max);
        decisions.OfType<PagePoisoned>().ShouldBeEmpty("pre-remove skips SetPageHWPoison");
    }

    /// <summary>drivers/dax/super.c: kill_dax(): 6.1's kill_dax notifies with flags 0, a whole-device media error: pages are poisoned, a default-policy mapper is not signalled.</summary>
    [Fact]
    public void Unbind_On61_NotifiesFlagsZero_AsMediaError()
    {
        using var m = new TestMachine(TestMachine.Profile("6.1"));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "app");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Machine.Unbind(m.Pmem, m.Spawn(300, "unbinder")));

        decisions.OfType<HolderNotified>().ShouldHaveSingleItem().Flags.ShouldBe(MfFlags.None);
        decisions.OfType<PagePoisoned>().ShouldNotBeEmpty("without pre-remove mf_dax_kill_procs marks the pages");
        TestMachine.Signals(decisions).ShouldBeEmpty("only current and early-kill processes are candidates");
    }

    /// <summary>drivers/dax/super.c: kill_dax(): with no holder (ext4-like) kill_dax notifies nobody, and mappings are left stale.</summary>
    [Fact]
    public void Unbind_WithoutHolder_NotifiesNobody_LeavesStaleMappings()
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "app");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Machine.Unbind(m.Pmem, null));

        decisions.OfType<HolderNotified>().ShouldBeEmpty();
        TestMachine.Signals(decisions).ShouldBeEmpty();
        TestMachine.Leaf(p, pv).ShouldNotBeNull("nobody revoked the PTE");
        decisions.OfType<NotModelled>().ShouldHaveSingleItem("an access through the stale PTE is undefined");
    }

    /// <summary>pmem_release_disk(), kill_dax() and mm/memremap.c: memunmap_pages(): ALIVE cleared, SRCU drained, disk deleted (6.12: the mounted filesystem told through fs_bdev_mark_dead()), then the pgmap killed, drained and the memory removed.</summary>
    [Fact]
    public void Unbind_TeardownOrder()
    {
        using var m = new TestMachine(holder: false);

        var (decisions, _) = m.Record(() => m.Machine.Unbind(m.Pmem, null));

        decisions.OfType<TeardownStep>().Select(s => s.Step).ShouldBe([
            "dax_remove_host", "kill_dax", "clear DAXDEV_ALIVE", "synchronize_srcu", "del_gendisk", "fs_bdev_mark_dead",
            "percpu_ref_kill", "put per-page references", "drained", "arch_remove_memory",
        ]);
    }
}
