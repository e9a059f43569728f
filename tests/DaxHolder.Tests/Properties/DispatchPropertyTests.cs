using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Tests.Properties;

/// <summary>
/// The fast dispatch decides as the kernel's own walk: before every event of a random valid
/// scenario, for every file page that holds the poisoned pfn (every mapped device page for an
/// unbind), the host's collect (MemoryFailureHandler.CollectProcsFsdax: i_mmap first, processes
/// in creation order) and mm/memory-failure.c: collect_procs_fsdax() as the kernel writes it
/// (for_each_process, task_early_kill(), then i_mmap per process) give the same to_kill entries
/// and the same trace, in the same order, with and without MF_MEM_PRE_REMOVE, current being the
/// event's task (a kworker for a machine check or an unbind).
/// </summary>
public sealed class DispatchPropertyTests
{
    public static TheoryData<string, FsKind> Cells() => ScenarioGen.Cells();

    [Theory]
    [MemberData(nameof(Cells))]
    public void FastCollect_DecidesAsTheKernelsForEachProcessWalk(string kernel, FsKind fs)
    {
        var compared = 0;
        PropertyCheck.Holds(ScenarioGen.Scenario(kernel, fs), s => compared += Check(s), iterations: 40);
        compared.ShouldBeGreaterThan(0, "no event had a locked DAX entry to compare on");
    }

    /// <summary>Compares both walks before each event; the number of walks that collected somebody.</summary>
    internal static int Check(PropScenario scenario)
    {
        var compared = 0;
        SteppedRun.Run(scenario.ToYaml(), (state, before) =>
        {
            var machine = state.Machine;
            var pages = before.Pages.Where(p => before.IsPoisoned(p.FilePfn))
                .Select(p => (p.Vma.File!.Mapping, p.Pgoff)).Distinct().ToList();
            var saved = machine.MemoryFailure.Current;
            machine.MemoryFailure.Current = before.Current ?? machine.Tasks.Kworker;
            try
            {
                foreach (var (mapping, pgoff) in pages)
                {
                    foreach (var preRemove in (bool[])[false, true])
                    {
                        var (host, hostTrace) = Walk(machine, mapping, pgoff, (page, into) => into.AddRange(machine.MemoryFailure.CollectProcsFsdax(page, mapping, pgoff, preRemove)));
                        var (kernel, kernelTrace) = Walk(machine, mapping, pgoff, (_, into) => KernelCollectProcsFsdax(machine, mapping, pgoff, preRemove, into));
                        var what = $"before {before.Current?.ToString() ?? "a kworker"}'s event, inode {mapping.Host} page {pgoff.Value}, pre_remove={preRemove}";
                        kernel.ShouldBe(host, PropertyCheck.Fail(scenario, $"{what}: to_kill differs (host, then kernel walk)"));
                        kernelTrace.ShouldBe(hostTrace, PropertyCheck.Fail(scenario, $"{what}: trace differs"));
                        compared += host.Count > 0 ? 1 : 0;
                    }
                }
            }
            finally
            {
                machine.MemoryFailure.Current = saved;
            }
        });
        return compared;
    }

    /// <summary>dax_lock_mapping_entry(), one collect, unlock; the collect's trace is read and cut back so the run goes on as before.</summary>
    private static (List<ToKill> ToKill, List<Decision> Trace) Walk(Machine machine, AddressSpace mapping, PageIndex pgoff, Action<DaxHolder.Kernel.Mm.Memremap.Page, List<ToKill>> collect)
    {
        var toKill = new List<ToKill>();
        var mark = machine.Trace.Mark;
        var (result, entry, page) = machine.Dax.DaxLockMappingEntry(mapping, pgoff);
        if (result == DaxLockResult.Locked)
        {
            try
            {
                collect(page!, toKill);
            }
            finally
            {
                FsDax.DaxUnlockMappingEntry(entry!);
            }
        }

        List<Decision> trace = [.. machine.Trace.Since(mark)];
        machine.Trace.TruncateTo(mark);
        return (toKill, trace);
    }

    /// <summary>
    /// mm/memory-failure.c: collect_procs_fsdax() as the kernel writes it: for_each_process(tsk),
    /// t = pre_remove ? tsk (with an mm) : task_early_kill(tsk, 1); then
    /// vma_interval_tree_foreach(vma, &amp;mapping-&gt;i_mmap, pgoff, pgoff) with vma-&gt;vm_mm == t-&gt;mm,
    /// add_to_kill_fsdax() → __add_to_kill(): dev_pagemap_mapping_shift() (any present leaf from
    /// 6.15), an entry of shift 0 dropped. O(processes · mappers), the baseline the host's walk
    /// is held to.
    /// </summary>
    private static void KernelCollectProcsFsdax(Machine machine, AddressSpace mapping, PageIndex pgoff, bool preRemove, List<ToKill> into)
    {
        var handler = machine.MemoryFailure;
        var anyPresent = machine.Kernel.Has(KernelFeature.MappingShiftAnyPresentPte);
        foreach (var process in machine.Tasks.Processes)
        {
            var t = preRemove ? (process.Mm is null ? null : process.Leader) : handler.TaskEarlyKill(process, forceEarly: true);
            if (t is null)
            {
                if (process.Mm is not null)
                {
                    foreach (var vma in mapping.IMmap.Query(pgoff, pgoff))
                    {
                        if (!ReferenceEquals(vma.Mm, process.Mm))
                        {
                            continue;
                        }

                        machine.Trace.Add(new CandidateSkipped(process.Leader.Name, vma.Start, "not current and not early kill (task_early_kill)"));
                    }
                }

                continue;
            }

            foreach (var vma in mapping.IMmap.Query(pgoff, pgoff))
            {
                if (!ReferenceEquals(vma.Mm, t.Group.Mm))
                {
                    continue;
                }

                var address = vma.AddressOf(pgoff);
                var shift = vma.Mm.PageTable.DevPagemapMappingShift(address, anyPresent);
                if (shift == 0)
                {
                    machine.Trace.Add(new CandidateSkipped(t.Name, vma.Start, $"the page is not mapped at {address} (no PTE/PMD, shift 0)"));
                    continue;
                }

                into.Add(new ToKill(t, address, shift));
                machine.Trace.Add(new ProcessCollected(t.Name, address, shift));
            }
        }
    }
}
