using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Support;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>
/// fstests tests/xfs/550, tests/xfs/551 and tests/xfs/552 with src/t_mmap_cow_memory_failure.c:
/// the reader (parent) maps the read file and faults it; the poisoner (forked child) maps the
/// poison file, faults it and madvise(MADV_HWPOISON)s it. Golden output: one "Process is killed
/// by signal: 7" per run, no madvise failure; dmesg has "Sending SIGBUS to t_mmap_cow_memo" and
/// "recovery action for dax page: Recovered"; the reader is never signalled.
/// </summary>
public sealed class Xfs55xTests
{
    private const string Comm = "t_mmap_cow_memory_failure";

    [Fact]
    public void Xfs550_PoisonerOfTheSameFile_GetsOneSigbusPerRun_ReaderNothing()
    {
        using var m = new XfsMachine();
        m.WriteFile("/test-550/testfile", 65536);
        m.CycleMount();

        var runs = new[] { Run(m, "/test-550/testfile", "/test-550/testfile", 1, 100), Run(m, "/test-550/testfile", "/test-550/testfile", 2, 200) };

        AssertGolden(m, runs);
        DecisionText.Render("xfs/550 on 6.12", runs.Select((r, i) => ($"run {i + 1} ({i + 1} page{(i == 0 ? "" : "s")})", r.Decisions))).ShouldMatchApprovedText();
    }

    [Fact]
    public void Xfs551_PoisonerOfTheReflinkCopy_GetsOneSigbusPerRun_ReaderOfTheOriginalNothing()
    {
        using var m = new XfsMachine();
        var original = m.WriteFile("/test-551/testfile", 65536);
        var copy = m.Files.Create("/test-551/poisonfile", FileCreateOptions.Default).Value;
        m.Files.Clone(original, copy).ShouldBe(Errno.Ok, "cp --reflink=always");
        m.CycleMount();

        var runs = new[] { Run(m, "/test-551/testfile", "/test-551/poisonfile", 1, 100), Run(m, "/test-551/testfile", "/test-551/poisonfile", 2, 200) };

        AssertGolden(m, runs);
        runs[0].Decisions.OfType<DaxKillProcsCalled>().Select(k => k.Inode).ShouldBe([original, copy], "both rmap owners of the shared block are in core and asked, in inode order (xfs_dax_failure_fn() per rmap owner)");
        DecisionText.Render("xfs/551 on 6.12", runs.Select((r, i) => ($"run {i + 1}", r.Decisions))).ShouldMatchApprovedText();
    }

    [Fact]
    public void Xfs552_PartlyReflinkedFile_SharedAndPrivatePagesInOneMadvise_OneSigbus()
    {
        using var m = new XfsMachine();
        var original = m.WriteFile("/test-552/testfile", 16 * 4096);
        var poison = m.WriteFile("/test-552/poisonfile", 16 * 4096);
        for (ulong i = 0; i < 16; i += 2)
        {
            m.Files.CloneRange(original, new FileOffset(i * 4096), poison, new FileOffset(i * 4096), ByteLength.Page).ShouldBe(Errno.Ok);
        }

        m.CycleMount();

        var runs = new[] { Run(m, "/test-552/testfile", "/test-552/poisonfile", 1, 100), Run(m, "/test-552/testfile", "/test-552/poisonfile", 2, 200) };

        AssertGolden(m, runs);
        m.PfnOf("/test-552/poisonfile", 0).ShouldBe(m.PfnOf("/test-552/testfile", 0), "even pages are shared");
        m.PfnOf("/test-552/poisonfile", 1).ShouldNotBe(m.PfnOf("/test-552/testfile", 1), "odd pages are the poison file's own");
        DecisionText.Render("xfs/552 on 6.12", runs.Select((r, i) => ($"run {i + 1}", r.Decisions))).ShouldMatchApprovedText();
    }

    [Fact]
    public void Xfs551_On61_TheReflinkedFilesComeBackNonDax_SoThePoisonIsACleanLruPage_MePagecacheClean()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.1"));
        var original = m.WriteFile("/test-551/testfile", 65536);
        var copy = m.Files.Create("/test-551/poisonfile", FileCreateOptions.Default).Value;
        m.Files.Clone(original, copy).ShouldBe(Errno.Ok, "both are DAX and in core, so 6.1 lets them share");
        m.Fs.Inodes.FindInCore(copy)!.Mapping.IsDax.ShouldBeTrue("an inode stays DAX while in memory, as Debian's 6.1.192 was seen to do");
        m.CycleMount();

        var reader = m.Spawn(100, Comm);
        var vma = m.MapShared(reader, "/test-551/testfile", pages: 1);
        var access = m.Touch(reader, vma);

        m.Fs.Inodes.FindInCore(original)!.Mapping.IsDax.ShouldBeFalse("6.1: a reflinked inode read back from disk is never S_DAX (xfs_inode_supports_dax)");
        access.ShouldBe(DaxHolder.Kernel.Arch.X86.AccessResult.Done, "its page is a page-cache page in RAM");
        XfsMachine.Leaf(reader, vma)!.Kind.ShouldBe(DaxHolder.Kernel.Mm.PteKind.PageCache);

        var (decisions, log) = m.Record(() => m.Madvise(reader, vma).ShouldBe(Errno.Ok));

        log.ShouldContain(l => l.EndsWith("recovery action for clean LRU page: Recovered", StringComparison.Ordinal), "as Debian's 6.1.192 printed it");
        XfsMachine.Signals(decisions).ShouldBeEmpty("a clean page-cache page is dropped, not killed for (kill_procs without forcekill)");
        XfsMachine.Leaf(reader, vma).ShouldBeNull("try_to_unmap took the PTE; the next access reads the file again");
    }

    /// <summary>One t_mmap_cow_memory_failure run: -s<paramref name="pages"/> -S<paramref name="pages"/> -R read -P poison.</summary>
    private static Run Run(XfsMachine m, string read, string poison, ulong pages, int pid)
    {
        // The program forks first; the parent reads and posts the semaphore, then the child maps.
        var reader = m.Spawn(pid, Comm);
        var poisoner = m.Fork(reader, pid + 1);
        var readerVma = m.MapShared(reader, read, pages);
        for (ulong p = 0; p < pages; p++)
        {
            m.Touch(reader, readerVma, p);
        }

        var poisonVma = m.MapShared(poisoner, poison, pages);
        for (ulong p = 0; p < pages; p++)
        {
            m.Touch(poisoner, poisonVma, p);
        }

        Errno madvise = Errno.Ok;
        var (decisions, log) = m.Record(() => madvise = m.Madvise(poisoner, poisonVma, 0, pages));
        var result = new Run(reader, poisoner, madvise, decisions, log);
        m.Unmap(poisoner, poisonVma);
        m.Machine.ExitProcess(poisoner);
        m.Unmap(reader, readerVma);
        m.Machine.ExitProcess(reader);
        return result;
    }

    private static void AssertGolden(XfsMachine m, Run[] runs)
    {
        foreach (var run in runs)
        {
            run.Madvise.ShouldBe(Errno.Ok, "no 'madvise() has fault' line");
            run.Decisions.OfType<SignalDelivered>().Where(d => d.Task.Pid == run.Poisoner.Group.Pid)
                .ShouldHaveSingleItem("exactly one 'Process is killed by signal: 7' per run").Outcome.ShouldBe("handler ran");
            var signal = XfsMachine.Signals(run.Decisions)[0];
            signal.Task.Pid.ShouldBe(run.Poisoner.Group.Pid);
            signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
            signal.AddressLsb.ShouldBe(PageGeometry.PageShift);
            XfsMachine.Signals(run.Decisions).ShouldAllBe(s => s.Task.Pid == run.Poisoner.Group.Pid, "the reader is never signalled (no early kill)");
            run.Log.ShouldContain(l => l.Contains("Sending SIGBUS to t_mmap_cow_memo", StringComparison.Ordinal));
            run.Log.ShouldContain(l => l.Contains("recovery action for dax page: Recovered", StringComparison.Ordinal));
            run.Log.ShouldNotContain(l => l.Contains("Failed", StringComparison.Ordinal));
        }

        m.Mount.SuperBlock.IsShutdown.ShouldBeFalse("the scratch fs is not shut down");
        m.Machine.Vfs.Unmount(m.Mount).ShouldBe(Errno.Ok, "and passes the post-test check (the model's XfsCheck runs at unmount)");
    }
}

internal sealed record Run(TaskStruct Reader, TaskStruct Poisoner, Errno Madvise, IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log);
