using DaxHolder.Abstractions;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// memory_failure's dispatch for a pmem pfn (memory_failure(), memory_failure_dev_pagemap(),
/// dax_holder_notify_failure()): pgmap lookup, metadata check, the holder, and the generic path
/// only on -EOPNOTSUPP.
/// </summary>
public sealed class DispatchTests
{
    /// <summary>memory_failure_dev_pagemap(): any holder error but -EOPNOTSUPP ends the event as "Failed", with no fallback.</summary>
    [Theory]
    [InlineData(Errno.EIO)]
    [InlineData(Errno.ENXIO)]
    [InlineData(Errno.EBUSY)]
    [InlineData(Errno.EFSCORRUPTED)]
    public void HolderError_OtherThanEopnotsupp_IsFailed_WithoutGenericFallback(Errno answer)
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        var stub = new StubHolder(answer);
        DaxDevice.FsDaxGetByBdev(m.Kernel, m.Pmem.Disk, new object(), stub, "stub").ShouldNotBeNull("the device has no holder yet, so the claim succeeds");

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Madvise(p, pv));

        rc.ShouldBe(answer, "madvise returns memory_failure's error (only -EOPNOTSUPP is turned into 0)");
        stub.Calls.ShouldBe(1);
        decisions.OfType<GenericPathTaken>().ShouldBeEmpty("only -EOPNOTSUPP falls back to mf_generic_kill_procs (memory_failure_dev_pagemap())");
        TestMachine.Signals(decisions).ShouldBeEmpty("the holder killed nobody and there is no fallback");
        decisions.OfType<ActionResultRecorded>().ShouldHaveSingleItem().Result.ShouldBe(MfActionResult.Failed);
        log[^1].ShouldBe("Memory failure: 0x100201: recovery action for dax page: Failed");
    }

    /// <summary>memory_failure_dev_pagemap() and dax_holder_notify_failure(): -EOPNOTSUPP from the holder falls back to the generic page->mapping path.</summary>
    [Fact]
    public void HolderEopnotsupp_FallsBackToGenericPath_AndRecovers()
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        DaxDevice.FsDaxGetByBdev(m.Kernel, m.Pmem.Disk, new object(), new StubHolder(Errno.EOPNOTSUPP), "stub").ShouldNotBeNull();

        var (decisions, _) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        decisions.OfType<GenericPathTaken>().ShouldHaveSingleItem("-EOPNOTSUPP is the one error that takes the generic path");
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem("the generic path kills current, which maps the page");
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        decisions.OfType<ActionResultRecorded>().ShouldHaveSingleItem().Result.ShouldBe(MfActionResult.Recovered);
    }

    /// <summary>xfs_dax_notify_failure()'s SB_BORN check ("xfs: Fix SB_BORN check in xfs_dax_notify_failure()", 2022): a holder whose superblock is not born answers -EIO: "Failed", nobody killed, no fallback.</summary>
    [Fact]
    public void NotifyBeforeSbBorn_IsEio_Failed_NoKill_XfsDaxNotifyFailure()
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        var unborn = new SuperBlock(m.Kernel, "pmem0", "testfs");
        _ = new TestFs(new TestFsImage(m.Pmem.Disk), unborn, m.ServicesFor("testfs"), holder: true);
        m.Pmem.DaxDevice.HolderOperations.ShouldNotBeNull("the mount in progress registered its holder operations");

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Madvise(p, pv));

        rc.ShouldBe(Errno.EIO);
        decisions.OfType<HolderNotified>().ShouldHaveSingleItem().Result.ShouldBe(Errno.EIO);
        decisions.OfType<GenericPathTaken>().ShouldBeEmpty("-EIO does not fall back");
        TestMachine.Signals(decisions).ShouldBeEmpty("no kill before SB_BORN");
        TestMachine.Leaf(p, pv).ShouldNotBeNull("nothing was unmapped");
        log[^1].ShouldBe("Memory failure: 0x100201: recovery action for dax page: Failed");
    }

    /// <summary>memory_failure_dev_pagemap(), pgmap_pfn_valid(): a pfn inside the altmap (-M dev) is device metadata: -ENXIO, "Failed", the holder is not asked.</summary>
    [Fact]
    public void AltmapPfn_IsDeviceMetadata_Enxio_Failed()
    {
        using var m = new TestMachine(memmap: MemmapLocation.Device);
        var writer = m.Spawn(100, "inject");
        var metadata = m.Pmem.Pagemap.Start;

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, metadata));

        rc.ShouldBe(Errno.ENXIO);
        decisions.OfType<HolderNotified>().ShouldBeEmpty("pgmap_pfn_valid is false, so ops->memory_failure is never called");
        decisions.OfType<ActionResultRecorded>().ShouldHaveSingleItem().Result.ShouldBe(MfActionResult.Failed);
        log.ShouldBe([
            "Injecting memory failure at pfn 0x100000",
            "Memory failure: 0x100000: recovery action for dax page: Failed",
        ]);
    }

    /// <summary>dax_holder_notify_failure(): the dax device is dead (kill_dax ran) while the pgmap lives: -ENXIO, "Failed", no fallback.</summary>
    [Fact]
    public void DeadDaxDevice_LivePgmap_IsEnxio_Failed_NoFallback()
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        m.Pmem.DaxDevice.KillDax();

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Madvise(p, pv));

        rc.ShouldBe(Errno.ENXIO);
        decisions.OfType<GenericPathTaken>().ShouldBeEmpty("a dead dax_device answers -ENXIO before it looks for holder ops");
        TestMachine.Signals(decisions).ShouldBeEmpty();
        log[^1].ShouldBe("Memory failure: 0x100201: recovery action for dax page: Failed");
    }

    /// <summary>memory_failure(), get_dev_pagemap(): once the pgmap is killed, tryget_live fails: "memory outside kernel control", -ENXIO, no action_result.</summary>
    [Fact]
    public void DyingPgmap_IsMemoryOutsideKernelControl_Enxio_NoActionResult()
    {
        using var m = new TestMachine();
        var pgmap = m.Pmem.Pagemap;
        pgmap.TryGetLive().ShouldBeTrue();
        pgmap.MemunmapPages();

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Machine.MemoryFailure.MemoryFailure(new Pfn(0x100201), MfFlags.SwSimulated));

        rc.ShouldBe(Errno.ENXIO);
        decisions.OfType<ActionResultRecorded>().ShouldBeEmpty("the event never reaches memory_failure_dev_pagemap");
        log.ShouldBe(["Memory failure: 0x100201: memory outside kernel control"]);
    }

    /// <summary>memory_failure(): vm.memory_failure_recovery=0 panics with the pfn in hex without 0x.</summary>
    [Fact]
    public void RecoverySysctlZero_Panics_WithPfnInHex()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        m.Kernel.Sysctls.MemoryFailureRecovery = 0;

        var (decisions, log) = m.Record(() => m.Madvise(p, pv));

        m.Kernel.Panicked.ShouldBeTrue();
        log.ShouldContain("Kernel panic - not syncing: Memory failure on page 100201");
        decisions.OfType<KernelHealthEvent>().ShouldHaveSingleItem().Kind.ShouldBe(KernelHealthKind.Panic);
        TestMachine.Signals(decisions).ShouldBeEmpty("the machine panics before anything is handled");
    }

    /// <summary>memory_failure(): a second event on the same pfn is handled from scratch (no "already poisoned" short-cut).</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void RepeatEvent_OnSamePfn_IsReprocessedInFull(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));
        var counted = m.Machine.MemoryFailure.NumPoisonedPages;

        var (decisions, log) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        log.ShouldContain("Memory failure: 0x100201: Sending SIGBUS to injector:100 due to hardware memory corruption", "the second event signals again");
        log.ShouldContain("Memory failure: 0x100201: recovery action for dax page: Recovered");
        decisions.OfType<PagePoisoned>().ShouldHaveSingleItem("SetPageHWPoison runs again, unconditionally");
        m.Machine.MemoryFailure.NumPoisonedPages.ShouldBe(counted + 1, "every action_result counts");
    }

    /// <summary>pmem_pagemap_memory_failure() (and the inclusive end of 3c90c01e4934): one failing page notifies exactly one 4 KiB block at its disk offset, and only its owner is killed for.</summary>
    [Fact]
    public void OnePageFailure_NotifiesExactlyOneBlock_AndItsOwner_PmemPagemapMemoryFailure()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        m.CreateFile("/g", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        var notified = decisions.OfType<HolderNotified>().ShouldHaveSingleItem();
        notified.Offset.ShouldBe(m.OffsetOf("/f", 0), "offset = PFN_PHYS(pfn) - phys_addr - data_offset");
        notified.Length.ShouldBe(ByteLength.Page, "len = nr_pages << PAGE_SHIFT with nr_pages 1");
        var kill = decisions.OfType<DaxKillProcsCalled>().ShouldHaveSingleItem("only the block's owner is processed, not its neighbour /g");
        kill.Inode.ShouldBe(m.InodeOf("/f"));
        kill.Index.ShouldBe(new PageIndex(0));
        kill.Count.ShouldBe(new PageCount(1));
    }

    /// <summary>madvise_inject_error() and soft_offline_page(), as ndctl test/dax-poison.c expects: MADV_SOFT_OFFLINE on a DAX page fails with -EIO and signals nobody.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void MadviseSoftOffline_OnDaxPage_IsEio_NoSignal_NdctlDaxPoison(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var rc = Errno.Ok;
        var (decisions, _) = m.Record(() => rc = m.Machine.Madvise.SoftOffline(p, pv.Start, ByteLength.Page));

        rc.ShouldBe(Errno.EIO);
        TestMachine.Signals(decisions).ShouldBeEmpty();
        decisions.OfType<ActionResultRecorded>().ShouldBeEmpty("soft offline never reaches memory_failure");
    }
}
