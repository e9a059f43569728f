using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>mm/memory-failure.c: mf_dax_kill_procs(mapping, index, count, flags), called by a holder.</summary>
public sealed class DaxKillProcsTests
{
    /// <summary>dax_lock_mapping_entry(): a non-DAX mapping answers -EBUSY at once; later indexes are not looked at.</summary>
    [Fact]
    public void NonDaxMapping_IsEbusyAtOnce_LaterIndexesNotProcessed()
    {
        using var m = new TestMachine();
        var mapping = m.Mount.SuperBlock.AddMapping(new InodeNumber(999), dax: false);

        var result = Errno.Ok;
        var (decisions, _) = m.Record(() => result = m.Machine.MemoryFailure.MfDaxKillProcs(mapping, new PageIndex(0), new PageCount(3), MfFlags.None));

        result.ShouldBe(Errno.EBUSY);
        decisions.OfType<PageExamined>().ShouldHaveSingleItem("the loop returns at the first index");
    }

    /// <summary>dax_lock_mapping_entry(): an index with no entry (never faulted) is skipped: nothing poisoned, nobody collected, 0.</summary>
    [Fact]
    public void IndexWithoutEntry_IsSkipped()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "mapper");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Machine.MemoryFailure.Current = p;

        var result = Errno.EIO;
        var (decisions, _) = m.Record(() => result = m.Machine.MemoryFailure.MfDaxKillProcs(pv.File!.Mapping, new PageIndex(0), new PageCount(1), MfFlags.None));
        m.Machine.MemoryFailure.Current = null;

        result.ShouldBe(Errno.Ok);
        decisions.OfType<PagePoisoned>().ShouldBeEmpty();
        TestMachine.Signals(decisions).ShouldBeEmpty();
    }

    /// <summary>dax_lock_mapping_entry(): a zero-page entry (a read fault on a hole) is skipped too.</summary>
    [Fact]
    public void ZeroPageEntry_IsSkipped()
    {
        using var m = new TestMachine();
        var ino = m.Files.Create("/sparse", new FileCreateOptions(null)).Value;
        m.Files.Truncate(ino, ByteLength.Page).ShouldBe(Errno.Ok);
        var p = m.Spawn(100, "reader");
        var pv = m.MapShared(p, "/sparse", huge: false);
        m.Touch(p, pv);
        TestMachine.Leaf(p, pv).ShouldNotBeNull().Kind.ShouldBe(PteKind.ZeroPage);

        var result = Errno.EIO;
        var (decisions, _) = m.Record(() => result = m.Machine.MemoryFailure.MfDaxKillProcs(pv.File!.Mapping, new PageIndex(0), new PageCount(1), MfFlags.None));

        result.ShouldBe(Errno.Ok);
        decisions.OfType<PagePoisoned>().ShouldBeEmpty("zero and empty entries have no page");
        TestMachine.Leaf(p, pv).ShouldNotBeNull("nobody was collected");
    }

    /// <summary>mf_dax_kill_procs(): every index of the range is handled under its own entry, each with its own pfn in the log.</summary>
    [Fact]
    public void Range_EachIndexHandled_WithItsOwnPfn()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 2);
        var p = m.Spawn(100, "early");
        TestMachine.SetMceKill(p, MceKillPolicy.Early);
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv, 0);
        m.Touch(p, pv, 1);

        var (decisions, log) = m.Record(() => m.Machine.MemoryFailure.MfDaxKillProcs(pv.File!.Mapping, new PageIndex(0), new PageCount(2), MfFlags.None).ShouldBe(Errno.Ok));

        decisions.OfType<PagePoisoned>().Select(d => d.Pfn).ShouldBe([m.PfnOf("/f", 0), m.PfnOf("/f", 1)]);
        log.ShouldBe([
            $"Memory failure: {m.PfnOf("/f", 0)}: Sending SIGBUS to early:100 due to hardware memory corruption",
            $"Memory failure: {m.PfnOf("/f", 1)}: Sending SIGBUS to early:100 due to hardware memory corruption",
        ]);
        TestMachine.Signals(decisions).ShouldAllBe(s => s.Code == Signals.BUS_MCEERR_AO, "the early-kill process is not current");
    }
}
