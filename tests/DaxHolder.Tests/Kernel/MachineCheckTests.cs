using DaxHolder.Abstractions;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Kernel.Signal;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>x86 synchronous machine checks on a user access: arch/x86/kernel/cpu/mce/core.c: kill_me_maybe().</summary>
public sealed class MachineCheckTests
{
    /// <summary>kill_me_maybe(): a consumed poison logs the physical address without 0x, then the task gets AR and the event is Recovered.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void SyncMce_OnMappedPage_LogsUserAccess_CurrentGetsAr(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        var p = m.Spawn(4242, "app");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var result = AccessResult.Done;
        var (decisions, log) = m.Record(() => result = m.Machine.SynchronousMachineCheck(p, pv.Start));

        result.ShouldBe(AccessResult.MachineCheck);
        log.ShouldBe([
            "mce: Uncorrected hardware memory error in user-access at 100201000",
            "Memory failure: 0x100201: Sending SIGBUS to app:4242 due to hardware memory corruption",
            "Memory failure: 0x100201: recovery action for dax page: Recovered",
        ]);
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        signal.Forced.ShouldBeTrue();
        m.Pmem.Badblocks.Count.ShouldBe(8, "NFIT's MCE notifier records the hardware poison");
    }

    /// <summary>kill_me_maybe(): when memory_failure fails, kill_me_maybe logs "Memory error not recovered" and forces SIGBUS with SI_KERNEL.</summary>
    [Fact]
    public void SyncMce_WhenHandlingFails_MemoryErrorNotRecovered_SigbusSiKernel()
    {
        using var m = new TestMachine(holder: false);
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "app");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        DaxDevice.FsDaxGetByBdev(m.Kernel, m.Pmem.Disk, new object(), new StubHolder(Errno.EFSCORRUPTED), "stub").ShouldNotBeNull();

        var (decisions, log) = m.Record(() => m.Machine.SynchronousMachineCheck(p, pv.Start));

        log.ShouldBe([
            "mce: Uncorrected hardware memory error in user-access at 100201000",
            "Memory failure: 0x100201: recovery action for dax page: Failed",
            "mce: Memory error not recovered",
        ]);
        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.SI_KERNEL);
        signal.Address.ShouldBeNull("force_sig carries no address");
    }

    /// <summary>
    /// arch/x86/kernel/cpu/mce/core.c: an asynchronous machine check taints the kernel (the first
    /// taint of a boot turns lock debugging off) and logs its record before memory_failure() runs,
    /// as Debian's 6.1.192 and 6.12.95 printed for machine checks sent from the QEMU monitor.
    /// </summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    [InlineData("7.2")]
    public void AsyncMce_TaintsOnce_AndLogsEachRecord_BeforeMemoryFailure_MceLog(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 2);
        var pfn0 = m.Pmem.PfnOf(m.OffsetOf("/f", 0));
        var pfn1 = m.Pmem.PfnOf(m.OffsetOf("/f", 1));

        var (_, first) = m.Record(() => m.Machine.Mce.AsyncMachineCheck(pfn0));
        var (_, second) = m.Record(() => m.Machine.Mce.AsyncMachineCheck(pfn1));

        first.Take(2).ShouldBe(["Disabling lock debugging due to kernel taint", "mce: [Hardware Error]: Machine check events logged"]);
        second[0].ShouldBe("mce: [Hardware Error]: Machine check events logged", "the taint is once per boot");
        second.ShouldNotContain("Disabling lock debugging due to kernel taint");
        first.ShouldContain(l => l.StartsWith("Memory failure:", StringComparison.Ordinal));
    }
}
