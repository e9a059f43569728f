using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>What each collected entry gets (kill_procs(), kill_proc(); xfstests tests/xfs/550, ndctl commit 6996dfd).</summary>
public sealed class SignalTests
{
    /// <summary>xfstests tests/xfs/550's second run, kill_proc(): two pages in one madvise (page 0 poisoned before): both handled in full, one handler run.</summary>
    [Fact]
    public void TwoPagesInOneMadvise_BothHandled_OneHandlerRun_Xfstests550()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 2);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv, 0);
        m.Touch(p, pv, 1);
        m.Record(() => m.Madvise(p, pv, 0));

        var (decisions, log) = m.Record(() => m.Madvise(p, pv, 0, pages: 2).ShouldBe(Errno.Ok));

        log.Count(l => l.Contains("Sending SIGBUS to injector:100", StringComparison.Ordinal)).ShouldBe(2, "each page is handled, no \"already poisoned\" short-cut");
        log.Count(l => l.EndsWith("recovery action for dax page: Recovered", StringComparison.Ordinal)).ShouldBe(2);
        var signals = TestMachine.Signals(decisions);
        signals.Count.ShouldBe(2);
        signals[1].Queueing.ShouldBe(SignalQueueing.AlreadyPending, "the second SIGBUS finds the first still pending");
        decisions.OfType<SignalDelivered>().ShouldHaveSingleItem("signals coalesce: the handler runs once").Outcome.ShouldBe("handler ran");
    }

    /// <summary>kill_proc(), force_sig_mceerr(): AR is forced: a process that ignores SIGBUS is reset to SIG_DFL and dies.</summary>
    [Fact]
    public void ForcedAr_OnIgnoringInjector_KillsIt()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        p.Group.SigbusAction = SigbusAction.Ignore;
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        decisions.OfType<SignalDelivered>().ShouldHaveSingleItem().Outcome.ShouldBe("killed (core dumped)");
        p.Group.Exited.ShouldBeTrue("force_sig_mceerr resets an ignored SIGBUS to the default action");
    }

    /// <summary>kill_proc(), send_sig_mceerr(): AO is not forced: an early-kill process that ignores SIGBUS drops it and lives.</summary>
    [Fact]
    public void Ao_ToIgnoringProcess_IsDropped()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        q.Group.SigbusAction = SigbusAction.Ignore;
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        TestMachine.Signals(decisions).Single(s => s.Task.Pid == 101).Queueing.ShouldBe(SignalQueueing.Ignored);
        q.Group.Exited.ShouldBeFalse();
    }

    /// <summary>send_sig_mceerr(): AO can be blocked: it stays pending for a thread that blocks SIGBUS.</summary>
    [Fact]
    public void Ao_ToBlockingThread_StaysPending()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        q.SigbusBlocked = true;
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        decisions.OfType<SignalDelivered>().ShouldNotContain(d => d.Task.Pid == 101);
        q.Pending.ShouldHaveSingleItem("a blocked AO waits").Code.ShouldBe(Signals.BUS_MCEERR_AO);
    }

    /// <summary>find_early_kill_thread() picks the first qualifying thread; the AO goes to that thread's tid, and the log names the tid.</summary>
    [Fact]
    public void EarlyKillThread_FirstQualifyingThreadGetsAo_ByTid()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var leader = m.Spawn(200, "worker");
        var late = m.Machine.Tasks.CloneThread(leader, 201);
        var early = m.Machine.Tasks.CloneThread(leader, 202);
        var alsoEarly = m.Machine.Tasks.CloneThread(leader, 203);
        TestMachine.SetMceKill(late, MceKillPolicy.Late);
        TestMachine.SetMceKill(early, MceKillPolicy.Early);
        TestMachine.SetMceKill(alsoEarly, MceKillPolicy.Early);
        var wv = m.MapShared(leader, "/f", huge: false);
        m.Touch(leader, wv);
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv));

        var ao = TestMachine.Signals(decisions).Single(s => s.Task.Pid == 200);
        ao.Task.Tid.ShouldBe(202, "the leader has no policy (sysctl 0), 201 is late, 202 is the first early thread");
        ao.Code.ShouldBe(Signals.BUS_MCEERR_AO);
        log.ShouldContain("Memory failure: 0x100201: Sending SIGBUS to worker:202 due to hardware memory corruption");
    }

    /// <summary>find_early_kill_thread(): with the sysctl at 1 a thread without its own policy qualifies, and the first one wins.</summary>
    [Fact]
    public void EarlyKillSysctl_FirstThreadWithoutPolicyQualifies()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var leader = m.Spawn(200, "worker");
        TestMachine.SetMceKill(leader, MceKillPolicy.Late);
        m.Machine.Tasks.CloneThread(leader, 201);
        var inheritsDefault = m.Machine.Tasks.CloneThread(leader, 202);
        TestMachine.SetMceKill(inheritsDefault, MceKillPolicy.Default);
        var wv = m.MapShared(leader, "/f", huge: false);
        m.Touch(leader, wv);
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        m.Kernel.Sysctls.MemoryFailureEarlyKill = 1;

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        TestMachine.Signals(decisions).Single(s => s.Task.Pid == 200).Task.Tid.ShouldBe(202,
            "leader and 201 (cloned from it) are late; 202 has no policy and the sysctl is 1");
    }

    /// <summary>kill_proc()'s log line: %s is the task's comm, cut to 15 characters (TASK_COMM_LEN - 1).</summary>
    [Fact]
    public void SendingSigbusLine_CutsCommTo15Characters()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "a_very_long_program_name");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (_, log) = m.Record(() => m.Madvise(p, pv));

        log.ShouldContain("Memory failure: 0x100201: Sending SIGBUS to a_very_long_pro:100 due to hardware memory corruption");
    }

    /// <summary>
    /// add_to_kill() and kill_procs() (the SIGKILL ndctl commit 6996dfd worked around): on the generic path a collected VMA
    /// without a user address for the page (-EFAULT) is kept on 6.1 and SIGKILLed with "Unable to
    /// find user space address" and "forcibly killing". The stale VMA is built by hand: it sits in
    /// the poisoned file's i_mmap but maps another file, so page_address_in_vma() fails.
    /// </summary>
    [Fact]
    public void EfaultAddress_On61_IsKeptAndSigkilledByKillProcs()
    {
        using var m = new TestMachine(TestMachine.Profile("6.1"), holder: false);
        var (p, pv, r) = ArrangeStaleVma(m);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        log.ShouldContain("Memory failure: Unable to find user space address 100201 in stale");
        log.ShouldContain("Memory failure: 0x100201: forcibly killing stale:102 because of failure to unmap corrupted page");
        TestMachine.Signals(decisions).Single(s => s.Task.Pid == 102).Signal.ShouldBe(Signals.SIGKILL);
        r.Group.Exited.ShouldBeTrue("SIGKILL takes the whole process");
    }

    /// <summary>__add_to_kill() (6.10+): the same -EFAULT entry is silently skipped on 6.12.</summary>
    [Fact]
    public void EfaultAddress_On612_IsSkippedByAddToKill()
    {
        using var m = new TestMachine(TestMachine.Profile("6.12"), holder: false);
        var (p, pv, r) = ArrangeStaleVma(m);

        var (decisions, log) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        log.ShouldNotContain(l => l.Contains("Unable to find user space address", StringComparison.Ordinal));
        log.ShouldNotContain(l => l.Contains("forcibly killing", StringComparison.Ordinal));
        TestMachine.Signals(decisions).ShouldNotContain(s => s.Task.Pid == 102);
        r.Group.Exited.ShouldBeFalse();
    }

    /// <summary>Injector pid 100 maps and touches /f; early-kill "stale" (pid 102) has a VMA in /f's i_mmap whose file is /g.</summary>
    private static (TaskStruct Injector, VmArea InjectorVma, TaskStruct Stale) ArrangeStaleVma(TestMachine m)
    {
        m.CreateFile("/f", 1);
        m.CreateFile("/g", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        var r = m.Spawn(102, "stale");
        TestMachine.SetMceKill(r, MceKillPolicy.Early);
        var f = pv.File!;
        var g = Vfs.Open(m.Mount, "/g").Value;
        var stale = new VmArea(r.Group.Mm!, new UserAddress(0x500000000), new UserAddress(0x500001000), g, new PageIndex(0), VmFlags.Read | VmFlags.Shared);
        f.Mapping.IMmap.Insert(stale);
        return (p, pv, r);
    }
}
