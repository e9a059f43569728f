using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>The generic page->mapping path (mf_generic_kill_procs()), as ext4 and holder-less devices take it.</summary>
public sealed class GenericPathTests
{
    /// <summary>mf_generic_kill_procs(), as ndctl test/dax-ext4.sh exercises it: without holder operations the generic path kills current (AR) by page->mapping and page->index.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void NoHolder_GenericPath_KillsCurrentWithAr_MfGenericKillProcs(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version), holder: false);
        m.CreateFile("/f", 3);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv, 2);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv, 2).ShouldBe(Errno.Ok));

        decisions.OfType<GenericPathTaken>().ShouldHaveSingleItem().Reason.ShouldBe("the holder path returned -EOPNOTSUPP");
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signal.Address.ShouldBe(TestMachine.AddressOf(pv, 2), "the address comes from page->index");
        log[^1].ShouldBe("Memory failure: 0x100203: recovery action for dax page: Recovered");
    }

    /// <summary>dax_lock_page(): a free block has page->mapping NULL: the generic path answers -EBUSY, "Failed".</summary>
    [Fact]
    public void FreeBlock_GenericPath_IsEbusy_Failed()
    {
        using var m = new TestMachine(holder: false);
        var writer = m.Spawn(100, "inject");
        var free = m.Pmem.PfnOf(new DeviceOffset(1000 * PageGeometry.PageSize));

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, free));

        rc.ShouldBe(Errno.EBUSY);
        decisions.OfType<ActionResultRecorded>().ShouldHaveSingleItem().Result.ShouldBe(MfActionResult.Failed);
        log[^1].ShouldBe($"Memory failure: {free}: recovery action for dax page: Failed");
    }

    /// <summary>xfs_dax_notify_ddev_failure(): a free block has no rmap record: the holder answers 0, "Recovered", with no action.</summary>
    [Fact]
    public void FreeBlock_HolderPath_IsRecovered_WithNoAction()
    {
        using var m = new TestMachine();
        var writer = m.Spawn(100, "inject");
        var free = m.Pmem.PfnOf(new DeviceOffset(1000 * PageGeometry.PageSize));

        var rc = Errno.EIO;
        var (decisions, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, free));

        rc.ShouldBe(Errno.Ok);
        decisions.OfType<DaxKillProcsCalled>().ShouldBeEmpty();
        decisions.OfType<ActionResultRecorded>().ShouldHaveSingleItem().Result.ShouldBe(MfActionResult.Recovered);
        log[^1].ShouldBe($"Memory failure: {free}: recovery action for dax page: Recovered");
    }

    /// <summary>dax_delete_mapping_entry(): a punched page is disassociated, so the generic path answers -EBUSY, "Failed".</summary>
    [Fact]
    public void PunchedPage_GenericPath_IsEbusy_Failed()
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "mapper");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        var pfn = m.PfnOf("/f", 0);
        m.Files.Fallocate(m.InodeOf("/f"), FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset(0), ByteLength.Page).ShouldBe(Errno.Ok);

        var rc = Errno.Ok;
        var (decisions, _) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(p, pfn));

        rc.ShouldBe(Errno.EBUSY);
        TestMachine.Signals(decisions).ShouldBeEmpty();
    }

    /// <summary>dax_lock_page(): a page never faulted has page->mapping NULL: -EBUSY even though the file owns it.</summary>
    [Fact]
    public void NeverFaultedPage_GenericPath_IsEbusy()
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var writer = m.Spawn(100, "inject");

        var rc = m.Machine.HwpoisonInject.CorruptPfn(writer, m.PfnOf("/f", 0));

        rc.ShouldBe(Errno.EBUSY);
    }
}
