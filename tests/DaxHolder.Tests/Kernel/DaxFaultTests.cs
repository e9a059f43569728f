using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>DAX faults and page association, and what they mean for the kill (fs/dax.c: dax_insert_entry(), dax_associate_entry(); reflink as Debian's 6.1.192 and 6.12.95 were seen to do under QEMU with an emulated NVDIMM).</summary>
public sealed class DaxFaultTests
{
    /// <summary>As Debian's 6.12.95 was seen to do under QEMU: a read fault on a shared extent unmaps the file index elsewhere: only the most recent faulter keeps its PTE.</summary>
    [Fact]
    public void SharedExtentReadFault_On612_OnlyLatestFaulterOfTheFileKeepsPte()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"));
        m.CreateFile("/f", 1);
        m.Clone("/f", "/g");
        var first = m.Spawn(100, "first");
        var second = m.Spawn(101, "second");
        var other = m.Spawn(102, "otherfile");
        var fv1 = m.MapShared(first, "/f", huge: false);
        var fv2 = m.MapShared(second, "/f", huge: false);
        var gv = m.MapShared(other, "/g", huge: false);
        m.Touch(other, gv);
        m.Touch(first, fv1);

        m.Touch(second, fv2);

        TestMachine.Leaf(first, fv1).ShouldBeNull("the earlier faulter of /f lost its PTE");
        TestMachine.Leaf(second, fv2).ShouldNotBeNull();
        TestMachine.Leaf(other, gv).ShouldNotBeNull("/g's faulter is the latest in its own file");
    }

    /// <summary>As Debian's 6.12.95 was seen to do under QEMU: of two early-kill readers of one clone, only the latest faulter is signalled; the earlier has shift 0.</summary>
    [Fact]
    public void SharedExtent_On612_EarlierFaulterIsSkippedByKill()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"));
        m.CreateFile("/f", 1);
        m.Clone("/f", "/g");
        var first = m.Spawn(100, "first");
        var second = m.Spawn(101, "second");
        var p = m.Spawn(102, "injector");
        TestMachine.SetMceKill(first, MceKillPolicy.Early);
        TestMachine.SetMceKill(second, MceKillPolicy.Early);
        var fv1 = m.MapShared(first, "/f", huge: false);
        var fv2 = m.MapShared(second, "/f", huge: false);
        var pv = m.MapShared(p, "/g", huge: false);
        m.Touch(first, fv1);
        m.Touch(second, fv2);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        var signals = TestMachine.Signals(decisions);
        signals.ShouldNotContain(s => s.Task.Pid == 100, "the earlier faulter has no PTE (shift 0)");
        signals.Single(s => s.Task.Pid == 101).Code.ShouldBe(Signals.BUS_MCEERR_AO);
        signals.Single(s => s.Task.Pid == 102).Code.ShouldBe(Signals.BUS_MCEERR_AR);
    }

    /// <summary>As Debian's 6.1.192 was seen to do under QEMU: a read fault through a second file re-associates the page and WARNs once per boot at fs/dax.c:380.</summary>
    [Fact]
    public void SharedBlockReadFault_On61_ReassociatesAndWarnsOnce()
    {
        using var m = new TestMachine(TestMachine.Profile("6.1"));
        m.CreateFile("/f", 1);
        m.Clone("/f", "/g");
        m.Clone("/f", "/h");
        var a = m.Spawn(100, "a");
        var b = m.Spawn(101, "b");
        var c = m.Spawn(102, "c");
        m.Touch(a, m.MapShared(a, "/f", huge: false));

        var (_, log) = m.Record(() =>
        {
            m.Touch(b, m.MapShared(b, "/g", huge: false));
            m.Touch(c, m.MapShared(c, "/h", huge: false));
        });

        log.Where(l => l.StartsWith("WARNING:", StringComparison.Ordinal)).ShouldBe(["WARNING: CPU: 0 PID: 101 at fs/dax.c:380 dax_insert_entry"], "WARN_ON_ONCE fires on the first re-association only");
        var page = m.Pmem.Pagemap.PageOf(m.PfnOf("/f", 0));
        page.IsShared.ShouldBeFalse("6.1 marks pages shared only on a CoW write fault");
        page.Mapping!.Host.ShouldBe(m.InodeOf("/h"), "page->mapping is overwritten by the last faulting file");
    }

    /// <summary>As Debian's 6.1.192 was seen to do with reflink but no rmapbt: the generic path sees only the last associated file: the injector on the other clone gets nothing.</summary>
    [Fact]
    public void GenericPathReflink_On61_OnlyLastAssociatedFilesProcessesConsidered()
    {
        using var m = new TestMachine(TestMachine.Profile("6.1"), holder: false);
        m.CreateFile("/f", 1);
        m.Clone("/f", "/g");
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/g", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);

        var rc = Errno.EIO;
        var (decisions, _) = m.Record(() => rc = m.Madvise(p, pv));

        rc.ShouldBe(Errno.Ok);
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem("page->mapping is /g, so only /g's mappers are walked");
        signal.Task.Pid.ShouldBe(101);
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AO);
    }

    /// <summary>As Debian's 6.12.95 was seen to do with reflink but no rmapbt: dax_lock_folio dereferences the 0x1 shared sentinel: an oops, the injector dies, nobody is signalled.</summary>
    [Fact]
    public void GenericPathReflink_On612_Oopses_InjectorDies_NobodySignalled()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"), holder: false);
        m.CreateFile("/f", 1);
        m.Clone("/f", "/g");
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/g", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv));

        log.ShouldContain("BUG: kernel NULL pointer dereference, address: 0000000000000001");
        decisions.OfType<KernelHealthEvent>().ShouldHaveSingleItem().Kind.ShouldBe(KernelHealthKind.Oops);
        TestMachine.Signals(decisions).ShouldBeEmpty("the crash happens before anyone is collected");
        p.Group.Exited.ShouldBeTrue("the injector was current in the oops");
        q.Group.Exited.ShouldBeFalse();
        decisions.OfType<ActionResultRecorded>().ShouldBeEmpty("a crash is not a decision");
    }

    /// <summary>fs/dax.c: dax_fault_cow_page(): a write to a private mapping makes an anonymous copy that leaves the DAX path: no entry, no association.</summary>
    [Fact]
    public void PrivateMappingWrite_MakesAnonymousPage_NotAssociated()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var c = m.Spawn(100, "private");
        var cv = m.MapShared(c, "/f", huge: false, shared: false);

        m.Touch(c, cv, write: true);

        TestMachine.Leaf(c, cv).ShouldNotBeNull().Kind.ShouldBe(PteKind.Anonymous);
        m.Pmem.Pagemap.PageOf(m.PfnOf("/f", 0)).Mapping.ShouldBeNull("the pmem page was only read to copy it");
    }

    /// <summary>kernel/fork.c: dup_mmap() and copy_process(): fork inherits PF_MCE flags, and a shared DAX VMA starts unmapped in the child.</summary>
    [Fact]
    public void Fork_InheritsMceFlags_AndChildSharedDaxVmaStartsUnmapped()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var parent = m.Spawn(100, "parent");
        TestMachine.SetMceKill(parent, MceKillPolicy.Early);
        var pv = m.MapShared(parent, "/f", huge: false);
        m.Touch(parent, pv);

        var child = m.Fork(parent, 101);

        Prctl.MceKillGet(child).Value.ShouldBe(MceKillPolicy.Early, "PF_MCE_PROCESS|PF_MCE_EARLY are inherited");
        var cv = child.Group.Mm!.Vmas.ShouldHaveSingleItem();
        TestMachine.Leaf(child, cv).ShouldBeNull("no page tables are copied for a shared file VMA: the child faults on first touch");
    }

    /// <summary>mm/mmap.c: split_vma() and mm/memory-failure.c: add_to_kill_fsdax(): after munmap of a middle page, the tail VMA keeps its pgoff arithmetic, so the early-kill address is right.</summary>
    [Fact]
    public void MunmapSplit_TailVmaKeepsPgoff_AndAddressIsRight()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 4);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        var qv = m.MapShared(q, "/f", huge: false);
        var pageThree = TestMachine.AddressOf(qv, 3);
        Mmap.DoMunmap(q.Group.Mm!, TestMachine.AddressOf(qv, 1), ByteLength.Page).ShouldBe(Errno.Ok);
        var vmas = q.Group.Mm!.Vmas;
        vmas.Count.ShouldBe(2, "munmap of a middle page splits the VMA");
        vmas[1].Pgoff.ShouldBe(new PageIndex(2));
        m.Machine.Fault.UserAccess(q, pageThree, write: false);
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv, 3);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv, 3));

        TestMachine.Signals(decisions).Single(s => s.Task.Pid == 101).Address.ShouldBe(pageThree);
    }
}
