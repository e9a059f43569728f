using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// Who is collected for a poisoned fsdax page and what gets unmapped (task_early_kill(),
/// add_to_kill(), unmap_and_kill(); xfstests tests/xfs/550 and tests/xfs/551).
/// </summary>
public sealed class CollectRulesTests
{
    /// <summary>xfstests tests/xfs/550: as on Debian's 6.1.192 and 6.12.95 under QEMU, the injector gets AR at its exact address, lsb 12; a default-policy mapper gets nothing.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void Injector_GetsAr_DefaultMapperNothing_OnBothKernels_Xfstests550(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 2);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "bystander");
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv, 1);
        m.Touch(q, qv, 1);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv, 1).ShouldBe(Errno.Ok));

        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem("only current is signalled without early kill, as on Debian's kernels under QEMU");
        signal.Task.Pid.ShouldBe(100);
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR, "the fsdax path adds MF_ACTION_REQUIRED itself, also on 6.1 whose madvise does not");
        signal.Address.ShouldBe(TestMachine.AddressOf(pv, 1));
        signal.AddressLsb.ShouldBe(12);
    }

    /// <summary>unmap_and_kill(): the non-collected mapper's PTE is removed too, and after software poison its next touch re-faults and succeeds (as xfstests tests/xfs/550's second run needs).</summary>
    [Fact]
    public void UncollectedMapper_IsUnmappedByUnmapAndKill_AndRefaultsCleanly()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "bystander");
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);
        m.Record(() => m.Madvise(p, pv));
        TestMachine.Leaf(q, qv).ShouldBeNull("the unmap covers every VMA of the file range");

        var (decisions, _) = m.Record(() => m.Touch(q, qv));

        TestMachine.Leaf(q, qv).ShouldNotBeNull("the re-fault maps the page again");
        TestMachine.Signals(decisions).ShouldBeEmpty("software poison leaves no bad block, so the fault succeeds");
    }

    /// <summary>task_early_kill() and kill_proc(): a PR_MCE_KILL_EARLY mapper gets AO (not forced) at its own address for the page, with its own shift.</summary>
    [Fact]
    public void EarlyKillMapper_GetsAo_AtItsOwnAddress_TaskEarlyKill()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 4);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", pages: 2, pgoff: 2, huge: false);
        m.Touch(p, pv, 3);
        m.Touch(q, qv, 1);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv, 3).ShouldBe(Errno.Ok));

        var ao = TestMachine.Signals(decisions).Single(s => s.Task.Pid == 101);
        ao.Code.ShouldBe(Signals.BUS_MCEERR_AO);
        ao.Forced.ShouldBeFalse("AO is send_sig_mceerr: blockable and ignorable");
        ao.Address.ShouldBe(TestMachine.AddressOf(qv, 1), "si_addr is Q's address of file page 3, not P's");
        ao.AddressLsb.ShouldBe(12);
    }

    /// <summary>find_early_kill_thread(): vm.memory_failure_early_kill=1 makes a process without its own policy early kill: AO.</summary>
    [Fact]
    public void EarlyKillSysctl_MakesDefaultPolicyMapper_GetAo()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "default");
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);
        m.Kernel.Sysctls.MemoryFailureEarlyKill = 1;

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        TestMachine.Signals(decisions).Single(s => s.Task.Pid == 101).Code.ShouldBe(Signals.BUS_MCEERR_AO);
    }

    /// <summary>find_early_kill_thread(): a thread with PR_MCE_KILL_LATE is skipped even when the sysctl asks for early kill.</summary>
    [Fact]
    public void LatePolicyMapper_IsNotSignalled_EvenWithEarlyKillSysctl()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "late");
        TestMachine.SetMceKill(q, MceKillPolicy.Late);
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);
        m.Kernel.Sysctls.MemoryFailureEarlyKill = 1;

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        TestMachine.Signals(decisions).ShouldNotContain(s => s.Task.Pid == 101, "PF_MCE_PROCESS without PF_MCE_EARLY is late kill");
    }

    /// <summary>add_to_kill() with dev_pagemap_mapping_shift(): an early-kill process that mapped the file but has no PTE for the page (shift 0) gets nothing.</summary>
    [Fact]
    public void EarlyKillMapper_WithoutPresentPte_IsSkipped()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "early");
        TestMachine.SetMceKill(q, MceKillPolicy.Early);
        var pv = m.MapShared(p, "/f", huge: false);
        m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        TestMachine.Signals(decisions).ShouldNotContain(s => s.Task.Pid == 101, "shift 0: the page is not mapped there now");
        decisions.OfType<CandidateSkipped>().ShouldContain(c => c.Task.Pid == 101);
    }

    /// <summary>unmap_and_kill(): nobody collected (the writer of corrupt-pfn does not map the page), so nothing is unmapped.</summary>
    [Fact]
    public void NobodyCollected_NothingIsUnmapped()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var writer = m.Spawn(100, "inject");
        var q = m.Spawn(101, "mapper");
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(q, qv);

        var (decisions, log) = m.Record(() => m.Machine.HwpoisonInject.CorruptPfn(writer, m.PfnOf("/f", 0)).ShouldBe(Errno.Ok));

        decisions.OfType<RangeUnmapped>().ShouldBeEmpty("unmap_and_kill unmaps only when a to_kill entry exists");
        TestMachine.Leaf(q, qv).ShouldNotBeNull("the default-policy mapper keeps its PTE");
        TestMachine.Signals(decisions).ShouldBeEmpty();
        log[^1].ShouldBe("Memory failure: 0x100201: recovery action for dax page: Recovered");
    }

    /// <summary>unmap_and_kill(): once someone is collected, the range is unmapped from every mapper, collected or not.</summary>
    [Fact]
    public void SomeoneCollected_UnmapsEveryMapperOfTheRange()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "mapper");
        var pv = m.MapShared(p, "/f", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(p, pv);
        m.Touch(q, qv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        var unmapped = decisions.OfType<RangeUnmapped>().ShouldHaveSingleItem();
        unmapped.Length.ShouldBe(ByteLength.Page, "aligned to the largest collected mapping: one PTE");
        unmapped.Removed.Select(r => r.Task.Pid).ShouldBe([100, 101], ignoreOrder: true);
    }

    /// <summary>xfstests tests/xfs/551: P poisons its reflink clone G; Q maps F (sharing the block): Q gets nothing and keeps its PTE, since nobody was collected on F.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void ReflinkClone_OtherFilesMapperKeepsItsPte_Xfstests551(string version)
    {
        using var m = new TestMachine(TestMachine.Profile(version));
        m.CreateFile("/f", 1);
        m.Clone("/f", "/g");
        var p = m.Spawn(100, "injector");
        var q = m.Spawn(101, "reader");
        var pv = m.MapShared(p, "/g", huge: false);
        var qv = m.MapShared(q, "/f", huge: false);
        m.Touch(q, qv);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        var signal = TestMachine.Signals(decisions).ShouldHaveSingleItem("P only: Q is not early kill");
        signal.Task.Pid.ShouldBe(100);
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        TestMachine.Leaf(q, qv).ShouldNotBeNull("nobody was collected on F, so F's range is not unmapped");
    }

    /// <summary>collect_procs_fsdax(): one to_kill entry per VMA: a file mapped twice gives two "Sending SIGBUS" lines, and the second SIGBUS is not queued.</summary>
    [Fact]
    public void FileMappedTwice_GivesTwoEntries_SecondSigbusNotQueued()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var first = m.MapShared(p, "/f", huge: false);
        var second = m.MapShared(p, "/f", huge: false);
        m.Touch(p, first);
        m.Touch(p, second);

        var (decisions, log) = m.Record(() => m.Madvise(p, first));

        log.Count(l => l.Contains("Sending SIGBUS to injector:100", StringComparison.Ordinal)).ShouldBe(2);
        var signals = TestMachine.Signals(decisions);
        signals.Select(s => s.Address).ShouldBe([first.Start, second.Start]);
        signals[1].Queueing.ShouldBe(SignalQueueing.AlreadyPending, "SIGBUS is a legacy signal: one pending instance");
        decisions.OfType<SignalDelivered>().ShouldHaveSingleItem();
    }

    /// <summary>kill_procs(): signals go out in list order, which is task creation order (not pid order).</summary>
    [Fact]
    public void Signals_FollowTaskCreationOrder_NotPidOrder()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var later = m.Spawn(300, "first");
        var earlier = m.Spawn(200, "second");
        foreach (var t in new[] { later, earlier })
        {
            TestMachine.SetMceKill(t, MceKillPolicy.Early);
            m.Touch(t, m.MapShared(t, "/f", huge: false));
        }

        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        TestMachine.Signals(decisions).Select(s => s.Task.Pid).ShouldBe([100, 300, 200]);
    }

    /// <summary>unmap_and_kill() (unmap_mapping_range with even_cows 0): a private mapping's written (anonymous) copy is not collected and survives the unmap.</summary>
    [Fact]
    public void PrivateWrittenCopy_IsNotCollected_AndSurvivesUnmap()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var c = m.Spawn(101, "private");
        TestMachine.SetMceKill(c, MceKillPolicy.Early);
        var cv = m.MapShared(c, "/f", huge: false, shared: false);
        m.Touch(c, cv, write: true);
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv));

        TestMachine.Signals(decisions).ShouldNotContain(s => s.Task.Pid == 101, "an anonymous page is not a devmap mapping: shift 0");
        var leaf = TestMachine.Leaf(c, cv).ShouldNotBeNull("COW copies stay (even_cows = 0)");
        leaf.Kind.ShouldBe(PteKind.Anonymous);
    }
}
