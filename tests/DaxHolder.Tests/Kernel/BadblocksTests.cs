using DaxHolder.Abstractions;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// Software versus hardware poison, and the pmem badblocks that gate later accesses (as Debian's
/// 6.1.192 and 6.12.95 were seen to do under QEMU with an emulated NVDIMM; drivers/nvdimm/pmem.c:
/// __pmem_direct_access(); ndctl test/dax-errors.c).
/// </summary>
public sealed class BadblocksTests
{
    /// <summary>As Debian's kernels were seen to do under QEMU: madvise poison adds no bad block, so a later touch of the page succeeds.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void MadvisePoison_LeavesNoBadblock_LaterTouchSucceeds(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        m.Record(() => m.Madvise(p, pv));

        var result = AccessResult.Sigbus;
        var (decisions, _) = m.Record(() => result = m.Machine.Fault.UserAccess(p, pv.Start, write: false));

        m.Pmem.Badblocks.Count.ShouldBe(0);
        result.ShouldBe(AccessResult.Done);
        TestMachine.Signals(decisions).ShouldBeEmpty();
    }

    /// <summary>As Debian's kernels were seen to do under QEMU: the corrupt-pfn writer is current; if it maps the page it gets AR although the flags carry only MF_SW_SIMULATED.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void CorruptPfnWriter_ThatMapsThePage_GetsAr(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "writer");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, log) = m.Record(() => m.Machine.HwpoisonInject.CorruptPfn(p, m.PfnOf("/f", 0)).ShouldBe(Errno.Ok));

        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR, "the fsdax path adds MF_ACTION_REQUIRED itself");
        signal.Forced.ShouldBeTrue();
        log[0].ShouldBe("Injecting memory failure at pfn 0x100201");
        m.Pmem.Badblocks.Count.ShouldBe(0, "software poison adds no bad block");
    }

    /// <summary>As Debian's kernels were seen to do under QEMU: an asynchronous machine check adds the page (8 sectors) to badblocks and signals early-kill mappers AO only.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void AsyncMachineCheck_AddsEightSectors_SignalsEarlyKillMappersAo(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        var q = m.Spawn(100, "early");
        var r = m.Spawn(101, "default");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        m.Touch(q, m.MapShared(q, "/f", huge: false));
        m.Touch(r, m.MapShared(r, "/f", huge: false));
        var firstSector = m.OffsetOf("/f", 0).Value / PageGeometry.SectorSize;

        var (decisions, _) = m.Record(() => m.Machine.Mce.AsyncMachineCheck(m.PfnOf("/f", 0)).ShouldBe(Errno.Ok));

        m.Pmem.Badblocks.Sectors.ShouldBe([firstSector, firstSector + 1, firstSector + 2, firstSector + 3, firstSector + 4, firstSector + 5, firstSector + 6, firstSector + 7]);
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem("a kworker is current: only early-kill mappers");
        signal.Task.Pid.ShouldBe(100);
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AO);
    }

    /// <summary>As Debian's 6.12.95 was seen to do under QEMU (vmf_error(), VM_FAULT_HWPOISON since 1ea7ca1b0901): after a machine check a fault on the page gets, on 6.12, AR lsb 12 and "MCE: Killing".</summary>
    [Fact]
    public void TouchAfterMachineCheck_On612_GetsArLsb12_WithMceKillingLine()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"));
        m.CreateFile("/f", 1);
        m.Machine.Mce.AsyncMachineCheck(m.PfnOf("/f", 0));
        var r = m.Spawn(100, "reader");
        var rv = m.MapShared(r, "/f", huge: false);

        var (decisions, log) = m.Record(() => m.Touch(r, rv));

        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signal.AddressLsb.ShouldBe(12);
        signal.Address.ShouldBe(rv.Start);
        log.ShouldBe([$"MCE: Killing reader:100 due to hardware memory corruption fault at {rv.Start.Value:x}"]);
    }

    /// <summary>As Debian's 6.1.192 was seen to do under QEMU: on 6.1 (before VM_FAULT_HWPOISON for DAX) the same fault gets BUS_ADRERR with lsb 0.</summary>
    [Fact]
    public void TouchAfterMachineCheck_On61_GetsBusAdrerrLsb0()
    {
        using var m = new TestMachine(TestMachine.Profile("6.1"));
        m.CreateFile("/f", 1);
        m.Machine.Mce.AsyncMachineCheck(m.PfnOf("/f", 0));
        var r = m.Spawn(100, "reader");
        var rv = m.MapShared(r, "/f", huge: false);

        var (decisions, log) = m.Record(() => m.Touch(r, rv));

        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_ADRERR);
        signal.AddressLsb.ShouldBe(0);
        log.ShouldNotContain(l => l.StartsWith("MCE: Killing", StringComparison.Ordinal));
    }

    /// <summary>kill_me_maybe(): a page left mapped after an asynchronous machine check is consumed by the next access: a synchronous MCE with AR for current.</summary>
    [Fact]
    public void StillMappedPageAfterMachineCheck_NextAccessTakesSyncMce_Ar()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var r = m.Spawn(100, "reader");
        var rv = m.MapShared(r, "/f", huge: false);
        m.Touch(r, rv);
        m.Machine.Mce.AsyncMachineCheck(m.PfnOf("/f", 0));
        TestMachine.Leaf(r, rv).ShouldNotBeNull("nobody was collected, so nothing was unmapped");

        var (decisions, log) = m.Record(() => m.Touch(r, rv));

        log[0].ShouldBe("mce: Uncorrected hardware memory error in user-access at 100201000");
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signal.Task.Pid.ShouldBe(100);
    }

    /// <summary>dax_iomap_rw() and __pmem_direct_access(), as Debian's kernels were seen to do: read(2) over a bad block gets -EIO on both kernels.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void ReadOverBadblock_IsEio(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        var ino = m.OpenForIo("/f");
        m.Machine.Mce.AsyncMachineCheck(m.PfnOf("/f", 0));

        var read = m.Files.Read(ino, new FileOffset(0), ByteLength.Page);

        read.IsOk.ShouldBeFalse();
        read.Error.ShouldBe(Errno.EIO);
    }

    /// <summary>dax_iomap_rw(): a whole, page-aligned write goes through dax_recovery_write and clears the bad block; the page is usable again.</summary>
    [Fact]
    public void WholePageWrite_ClearsBadblock()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var ino = m.OpenForIo("/f");
        m.Machine.Mce.AsyncMachineCheck(m.PfnOf("/f", 0));

        var written = m.Files.Write(ino, new FileOffset(0), ByteLength.Page);

        written.IsOk.ShouldBeTrue();
        m.Pmem.Badblocks.Count.ShouldBe(0);
        var r = m.Spawn(100, "reader");
        m.Machine.Fault.UserAccess(r, m.MapShared(r, "/f", huge: false).Start, write: false).ShouldBe(AccessResult.Done);
    }

    /// <summary>dax_iomap_rw(): a partial-page write over a bad block gets -EIO and the bad block stays.</summary>
    [Fact]
    public void PartialPageWrite_OverBadblock_IsEio()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var ino = m.OpenForIo("/f");
        m.Machine.Mce.AsyncMachineCheck(m.PfnOf("/f", 0));

        var written = m.Files.Write(ino, new FileOffset(0), new ByteLength(512));

        written.IsOk.ShouldBeFalse();
        written.Error.ShouldBe(Errno.EIO);
        m.Pmem.Badblocks.Count.ShouldBe(8);
    }
}
