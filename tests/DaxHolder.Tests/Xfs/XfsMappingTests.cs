using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>PMD mappings, reflink versus non-reflink on one layout, and the generic fallback without rmapbt, as Debian's 6.1.192 and 6.12.95 were seen to handle them under QEMU.</summary>
public sealed class XfsMappingTests
{
    [Fact]
    public void StripeUnit_Gives2MiBAlignedExtents_SoAPmdFaultMapsThem_AndThePoisonerGetsLsb21_NdctlDaxPmd()
    {
        using var m = new XfsMachine(mkfs: "reflink=1,rmapbt=1,su=2m,sw=1");
        m.WriteFile("/big", 4UL << 20, pmdHint: true);
        var p = m.Spawn(100, "pmd");
        var vma = m.MapShared(p, "/big", huge: true, at: new DaxHolder.Kernel.Units.UserAddress(0x7f0000000000));
        m.Touch(p, vma, 256);
        XfsMachine.Leaf(p, vma, 256)!.Shift.ShouldBe(PageGeometry.PmdShift, "a 2 MiB-aligned extent of 512 blocks maps with a PMD");
        var head = m.PfnOf("/big", 0);
        (head.Value % 512).ShouldBe(0UL, "the stripe unit aligns the extent on the disk (xfs_bmap_btalloc_at_eof()), so its pfns are 2 MiB-aligned");

        var (decisions, log) = m.Record(() => m.Madvise(p, vma, 256).ShouldBe(Errno.Ok));

        var signal = XfsMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.AddressLsb.ShouldBe(PageGeometry.PmdShift);
        signal.Address.ShouldBe(XfsMachine.AddressOf(vma, 256), "si_addr is the exact 4 KiB page");
        log[1].ShouldBe($"Memory failure: {head}: Sending SIGBUS to pmd:100 due to hardware memory corruption", "the PMD entry's head pfn, as Debian's kernels print it");
        log[2].ShouldBe($"Memory failure: {head.Add(256)}: recovery action for dax page: Recovered");
    }

    /// <summary>
    /// libxfs/xfs_bmap.c: xfs_bmap_compute_alignments(): an extent-size hint aligns file offsets and
    /// lengths (args-&gt;prod/mod), not disk blocks; without a stripe unit the 2 MiB-hinted file starts
    /// at the first free block, 96 KiB in, as Debian's 6.1, 6.12 and 7.2 placed it
    /// (conformance: "FILE: /big ... extents(512-byte sectors)=192..8383" before su=2m was given).
    /// </summary>
    [Fact]
    public void ExtentSizeHint_WithoutAStripeUnit_DoesNotAlignTheDiskBlocks_SoTheFaultIsAPteFault()
    {
        using var m = new XfsMachine(mkfs: "reflink=1,rmapbt=1");
        m.WriteFile("/big", 4UL << 20, pmdHint: true);
        var p = m.Spawn(100, "pte");
        var vma = m.MapShared(p, "/big", huge: true, at: new DaxHolder.Kernel.Units.UserAddress(0x7f0000000000));

        m.Touch(p, vma, 256);

        m.OffsetOf("/big", 0).ShouldBe(new DeviceOffset(24 * 4096), "the first data block after the root inode chunk");
        XfsMachine.Leaf(p, vma, 256)!.Shift.ShouldBe(PageGeometry.PageShift, "the blocks are not 2 MiB-aligned: no PMD");
    }

    [Fact]
    public void SameLayout_ReflinkAndNonReflink_DifferOnlyWhereBlocksAreShared()
    {
        var outcomes = new List<string>();
        foreach (var mkfs in new[] { "reflink=0,rmapbt=1", "reflink=1,rmapbt=1" })
        {
            using var m = new XfsMachine(mkfs: mkfs);
            var a = m.WriteFile("/a", 4 * 4096);
            var b = m.Files.Create("/b", FileCreateOptions.Default).Value;
            var clone = m.Files.Clone(a, b);
            if (clone != Errno.Ok)
            {
                clone.ShouldBe(Errno.EOPNOTSUPP, "FICLONE needs reflink");
                m.Files.Write(b, FileOffset.Zero, new ByteLength(4 * 4096)).IsOk.ShouldBeTrue("cp without reflink writes a copy");
            }

            var early = m.Spawn(100, "earlyB");
            XfsMachine.SetEarlyKill(early);
            var vma = m.MapShared(early, "/b");
            m.Touch(early, vma);
            var (decisions, _) = m.Record(() => m.MachineCheckAt(m.OffsetOf("/a", 0)));
            outcomes.Add($"{mkfs}: owners [{string.Join(", ", m.Fs.ReverseMap.Query(new DeviceExtent(m.OffsetOf("/a", 0), ByteLength.Page)).Select(r => r.Owner))}], " +
                $"signals [{string.Join(", ", XfsMachine.Signals(decisions).Select(s => $"{s.Task} {Signals.CodeName(s.Code)}"))}]");
        }

        outcomes.ShouldBe([
            "reflink=0,rmapbt=1: owners [inode 131], signals []",
            "reflink=1,rmapbt=1: owners [inode 131, inode 132], signals [earlyB:100 BUS_MCEERR_AO]",
        ], "only with reflink does the poison of /a's block reach /b's early-kill mapper");
    }

    [Fact]
    public void NoRmapbt_SharedBlock_On61_OnlyTheLastFaultedFileIsConsidered_TheOtherInjectorIsNotSignalled()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.1"), mkfs: "reflink=1,rmapbt=0");
        var (p, pv) = SharedBlockFaultedThroughBothClones(m);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        decisions.OfType<HolderNotified>().Single().Result.ShouldBe(Errno.EOPNOTSUPP);
        XfsMachine.Signals(decisions).ShouldBeEmpty("page->mapping is f2's (the last faulter): the injector mapping f1 is not found");
    }

    [Fact]
    public void NoRmapbt_SharedBlock_On612_OopsesInDaxLockFolio_NobodyIsSignalled()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.12"), mkfs: "reflink=1,rmapbt=0");
        var f1 = m.WriteFile("/f1", 4096);
        var f2 = m.Files.Create("/f2", FileCreateOptions.Default).Value;
        m.Files.Clone(f1, f2).ShouldBe(Errno.Ok);
        var p = m.Spawn(100, "P");
        var pv = m.MapShared(p, "/f1");
        m.Touch(p, pv);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv));

        decisions.OfType<KernelHealthEvent>().ShouldContain(h => h.Kind == KernelHealthKind.Oops);
        log.ShouldContain("BUG: kernel NULL pointer dereference, address: 0000000000000001");
        XfsMachine.Signals(decisions).ShouldAllBe(s => s.Signal != Signals.SIGBUS, "nobody gets SIGBUS: the kernel crashed");
    }

    /// <summary>
    /// fs/dax.c: dax_lock_folio() after 6.15's folio refcounts: a folio shared by two files has
    /// folio->mapping NULL, so mf_generic_kill_procs() gets -EBUSY, "Failed", and madvise returns
    /// -EBUSY with nobody signalled, as Debian's 7.2.13 was seen to do.
    /// </summary>
    [Fact]
    public void NoRmapbt_SharedBlock_On72_DaxLockFolioFailsOnTheSharedFolio_EbusyFailed_FolioRefcounts()
    {
        using var m = new XfsMachine(XfsMachine.Profile("7.2"), mkfs: "reflink=1,rmapbt=0");
        var (p, pv) = SharedBlockFaultedThroughBothClones(m);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.EBUSY));

        decisions.OfType<KernelHealthEvent>().ShouldBeEmpty("no oops: the shared folio has no mapping to dereference");
        decisions.OfType<ActionResultRecorded>().Single().Result.ShouldBe(MfActionResult.Failed);
        log.ShouldContain(l => l.EndsWith("recovery action for dax page: Failed", StringComparison.Ordinal));
        XfsMachine.Signals(decisions).ShouldBeEmpty();
        p.Group.Exited.ShouldBeFalse();
    }

    [Fact]
    public void WithRmapbt_SharedBlock_BothOwnersAreAsked_WithTheirOwnPgoff()
    {
        using var m = new XfsMachine();
        var f1 = m.WriteFile("/f1", 4 * 4096);
        var f2 = m.WriteFile("/f2", 8 * 4096);
        m.Files.CloneRange(f1, new FileOffset(2 * 4096), f2, new FileOffset(6 * 4096), ByteLength.Page).ShouldBe(Errno.Ok);
        var e1 = m.Spawn(100, "e1");
        var e2 = m.Spawn(101, "e2");
        XfsMachine.SetEarlyKill(e1);
        XfsMachine.SetEarlyKill(e2);
        var v1 = m.MapShared(e1, "/f1");
        var v2 = m.MapShared(e2, "/f2");
        m.Touch(e1, v1, 2);
        m.Touch(e2, v2, 6);

        var (decisions, _) = m.Record(() => m.MachineCheckAt(m.OffsetOf("/f1", 2)));

        decisions.OfType<DaxKillProcsCalled>().Select(k => (k.Inode, k.Index.Value)).ShouldBe([(f1, 2UL), (f2, 6UL)]);
        XfsMachine.Signals(decisions).Select(s => (s.Task.Pid, s.Address)).ShouldBe([(100, XfsMachine.AddressOf(v1, 2)), (101, XfsMachine.AddressOf(v2, 6))]);
    }

    /// <summary>/f2 a FICLONE of /f1; P maps and reads /f1, then Q maps and reads /f2 (the last faulter).</summary>
    private static (TaskStruct P, VmArea Pv) SharedBlockFaultedThroughBothClones(XfsMachine m)
    {
        var f1 = m.WriteFile("/f1", 4096);
        var f2 = m.Files.Create("/f2", FileCreateOptions.Default).Value;
        m.Files.Clone(f1, f2).ShouldBe(Errno.Ok);
        var p = m.Spawn(100, "P");
        var q = m.Spawn(101, "Q");
        var pv = m.MapShared(p, "/f1");
        var qv = m.MapShared(q, "/f2");
        m.Touch(p, pv);
        m.Touch(q, qv);
        return (p, pv);
    }
}
