using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>PMD-mapped fsdax pages (mf_dax_kill_procs(), dev_pagemap_mapping_shift(); ndctl test/dax-pmd.c with test/dax-poison.c).</summary>
public sealed class PmdTests
{
    private const ulong HalfPmdPages = 256;

    /// <summary>ndctl test/dax-poison.c on a PMD mapping, as Debian's kernels were seen to do under QEMU: AR at the exact 4 KiB address of +1 MiB with lsb 21; "Sending" prints the head pfn, "recovery action" the failing pfn.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void PmdMapping_PoisonAtOneMiB_ArExactAddressLsb21_HeadPfnInSendingLine_NdctlDaxPmd(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 512, aligned: true);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f");
        m.Touch(p, pv);
        TestMachine.Leaf(p, pv).ShouldNotBeNull().Shift.ShouldBe(21, "the aligned 2 MiB extent is PMD-mapped");
        var head = m.PfnOf("/f", 0);
        var failing = m.PfnOf("/f", HalfPmdPages);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv, HalfPmdPages).ShouldBe(Errno.Ok));

        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signal.Address.ShouldBe(TestMachine.AddressOf(pv, HalfPmdPages), "si_addr is the exact 4 KiB page, not the PMD start");
        signal.AddressLsb.ShouldBe(21);
        log.ShouldContain($"Memory failure: {head}: Sending SIGBUS to injector:100 due to hardware memory corruption");
        log.ShouldContain($"Memory failure: {failing}: recovery action for dax page: Recovered");
    }

    /// <summary>mf_dax_kill_procs(): under a PMD entry SetPageHWPoison marks the head page, not the failing one.</summary>
    [Fact]
    public void PmdEntry_PoisonMarksHeadPage()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 512, aligned: true);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f");
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv, HalfPmdPages));

        decisions.OfType<PagePoisoned>().ShouldHaveSingleItem().Pfn.ShouldBe(m.PfnOf("/f", 0));
        m.Pmem.Pagemap.PageOf(m.PfnOf("/f", HalfPmdPages)).HwPoison.ShouldBeFalse("the failing subpage itself is not marked");
    }

    /// <summary>unmap_and_kill(): the whole 2 MiB file range is unmapped, from every mapper.</summary>
    [Fact]
    public void PmdMapping_WholeTwoMiBRangeIsUnmapped_UnmapAndKill()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 512, aligned: true);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "bystander");
        var pv = m.MapShared(p, "/f");
        var qv = m.MapShared(q, "/f");
        m.Touch(p, pv);
        m.Touch(q, qv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv, HalfPmdPages));

        var unmapped = decisions.OfType<RangeUnmapped>().ShouldHaveSingleItem();
        unmapped.Start.ShouldBe(new FileOffset(0));
        unmapped.Length.ShouldBe(new ByteLength(PageGeometry.PmdSize));
        TestMachine.Leaf(q, qv).ShouldBeNull("Q's PMD is inside the range");
    }

    /// <summary>dev_pagemap_mapping_shift(): each entry's lsb is its own mapping's shift: an early-kill PTE mapper gets lsb 12 beside the PMD injector's 21.</summary>
    [Fact]
    public void PteMapperOfPmdExtent_GetsLsb12_WhileInjectorGets21()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 512, aligned: true);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        var pv = m.MapShared(p, "/f");
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv, HalfPmdPages);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv, HalfPmdPages));

        var signals = TestMachine.Signals(decisions);
        signals.Single(s => s.Task.Pid == 100).AddressLsb.ShouldBe(21);
        var ao = signals.Single(s => s.Task.Pid == 101);
        ao.AddressLsb.ShouldBe(12);
        ao.Address.ShouldBe(TestMachine.AddressOf(qv, HalfPmdPages));
        decisions.OfType<RangeUnmapped>().ShouldHaveSingleItem().Length.ShouldBe(new ByteLength(PageGeometry.PmdSize), "aligned to the largest collected mapping");
    }
}
