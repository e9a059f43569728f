using DaxHolder.Abstractions;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>mm/madvise.c: madvise_inject_error(), as Debian's kernels were seen to handle it under QEMU, and as xfstests tests/xfs/550 expects: madvise(MADV_HWPOISON) on a mapped fsdax page.</summary>
public sealed class MadviseInjectionTests
{
    [Fact]
    public void Madvise_OnMappedPage_InjectorGetsForcedAr_OthersNothing_Xfstests550()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "bystander");
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);
        var pfn = m.PfnOf("/f", 0);

        var (decisions, log) = m.Record(() => m.Machine.Madvise.HwPoison(p, pv.Start, ByteLength.Page).ShouldBe(Errno.Ok));

        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem("only the injector is signalled, as on Debian's kernels under QEMU");
        signal.Task.Pid.ShouldBe(100);
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signal.Forced.ShouldBeTrue();
        signal.Address.ShouldBe(pv.Start);
        signal.AddressLsb.ShouldBe(12);
        pfn.ShouldBe(new Pfn(0x100201));
        log.ShouldBe([
            $"Injecting memory failure for pfn 0x100201 at process virtual address {pv.Start}",
            "Memory failure: 0x100201: Sending SIGBUS to injector:100 due to hardware memory corruption",
            "Memory failure: 0x100201: recovery action for dax page: Recovered",
        ]);
        m.Machine.Tasks.FindThread(101)!.Group.Mm!.PageTable.Lookup(qv.Start).ShouldBeNull("the unmap covers every mapper of the file range (unmap_and_kill())");
        decisions.OfType<SignalDelivered>().ShouldHaveSingleItem().Outcome.ShouldBe("handler ran");
    }
}
