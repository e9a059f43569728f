using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Ext4.Support;
using DaxHolder.Tests.Kernel.Support;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>
/// The default mode: ext4 takes its dax device with no holder and no holder operations
/// (ext4_alloc_sbi: fs_dax_get_by_bdev(bdev, &amp;s_dax_part_off, NULL, NULL), 6.1 and 6.12), so
/// dax_holder_notify_failure answers -EOPNOTSUPP and every failure takes mf_generic_kill_procs.
/// </summary>
public sealed class KernelFaithfulTests
{
    /// <summary>mf_generic_kill_procs() and collect_procs_file(): the injector (current) gets AR, an early-kill mapper AO, a default mapper nothing but loses its PTE, an early-kill process that never faulted the page nothing.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void GenericPath_DefaultEarlyKillAndNonFaulting(string profile)
    {
        using var m = new Ext4Machine(profile);
        m.CreateFile("/f", 4);
        var injector = m.Spawn(100, "injector");
        var early = m.Spawn(200, "early");
        var late = m.Spawn(300, "default");
        var idle = m.Spawn(400, "idle");
        TestMachine.SetMceKill(early, MceKillPolicy.Early);
        TestMachine.SetMceKill(idle, MceKillPolicy.Early);
        var vi = m.MapShared(injector, "/f", 4, huge: false);
        var ve = m.MapShared(early, "/f", 4, huge: false);
        var vl = m.MapShared(late, "/f", 4, huge: false);
        _ = m.MapShared(idle, "/f", 4, huge: false);
        m.Touch(injector, vi, 1);
        m.Touch(early, ve, 1);
        m.Touch(late, vl, 1);

        var (decisions, _) = m.Record(() => m.Madvise(injector, vi, 1).ShouldBe(Errno.Ok));

        var signals = TestMachine.Signals(decisions);
        signals.Select(s => (s.Task.Pid, s.Code)).ShouldBe([(100, Signals.BUS_MCEERR_AR), (200, Signals.BUS_MCEERR_AO)]);
        TestMachine.Leaf(late, vl, 1).ShouldBeNull("the unmap covers every mapper of the file range");
        DecisionText.Render($"ext4 without holder on {profile}", [("injector madvise(MADV_HWPOISON)", decisions)]).ShouldMatchApprovedText(profile);
    }

    /// <summary>dax_lock_page(): an ext4 metadata block (a block bitmap) has page-&gt;mapping NULL: -EBUSY, "Failed", and ext4 never hears of it.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void MetadataBlock_GenericPath_IsEbusy_Failed_NoExt4Line(string profile)
    {
        using var m = new Ext4Machine(profile);
        var writer = m.Spawn(100, "inject");
        var pfn = m.PfnAt(m.Metadata("block-bitmap 1"));

        var rc = Errno.Ok;
        var (decisions, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, pfn));

        rc.ShouldBe(Errno.EBUSY);
        decisions.OfType<ActionResultRecorded>().ShouldHaveSingleItem().Result.ShouldBe(MfActionResult.Failed);
        log.ShouldBe([$"Injecting memory failure at pfn {pfn}", $"Memory failure: {pfn}: recovery action for dax page: Failed"]);
        m.Fs.SuperBlock.IsShutdown.ShouldBeFalse();
    }

    /// <summary>dax_delete_mapping_entry(): a block freed by punch was disassociated: -EBUSY, "Failed".</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void FreedBlock_GenericPath_IsEbusy_Failed(string profile)
    {
        using var m = new Ext4Machine(profile);
        var ino = m.CreateFile("/f", 2);
        var p = m.Spawn(100, "mapper");
        var v = m.MapShared(p, "/f", 2, huge: false);
        m.Touch(p, v, 1);
        var pfn = m.PfnOf("/f", 1);
        m.Files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset(PageGeometry.PageSize), ByteLength.Page).ShouldBe(Errno.Ok);

        var rc = Errno.Ok;
        var (decisions, _) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(p, pfn));

        rc.ShouldBe(Errno.EBUSY);
        TestMachine.Signals(decisions).ShouldBeEmpty();
        decisions.OfType<ActionResultRecorded>().ShouldHaveSingleItem().Result.ShouldBe(MfActionResult.Failed);
    }

    /// <summary>dax_holder_notify_failure(): no holder operations registered, so the holder call returns -EOPNOTSUPP and the event falls back.</summary>
    [Fact]
    public void Mount_RegistersNoHolder_SoTheHolderCallIsEopnotsupp()
    {
        using var m = new Ext4Machine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "app");
        var v = m.MapShared(p, "/f", 1, huge: false);
        m.Touch(p, v);

        var (decisions, _) = m.Record(() => m.Madvise(p, v));

        decisions.OfType<HolderNotified>().ShouldHaveSingleItem().Result.ShouldBe(Errno.EOPNOTSUPP);
        m.Pmem.DaxDevice.Holder.ShouldBeNull("ext4 passes a NULL holder");
    }
}
