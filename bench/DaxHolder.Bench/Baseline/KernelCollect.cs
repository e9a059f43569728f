using DaxHolder.Abstractions;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Bench.Baseline;

/// <summary>
/// The kernel's own algorithm, kept here as the benchmarks' baseline (mm/memory-failure.c):
/// mf_dax_kill_procs walks the record's pages one by one (dax_lock_mapping_entry, then
/// collect_procs_fsdax); collect_procs_fsdax runs for_each_process and, for every process,
/// task_early_kill and then vma_interval_tree_foreach over the file's i_mmap at pgoff, keeping
/// the VMAs whose vm_mm is the candidate's mm. O(pages · processes · mappers). It decides,
/// and unmaps and signals nobody: the benchmarks compare decisions.
/// </summary>
internal static class KernelCollect
{
    /// <summary>mf_dax_kill_procs's page loop over [index, index+count) with the for_each_process collect.</summary>
    public static Decisions KillProcsWalk(Machine machine, AddressSpace mapping, PageIndex index, ulong count, bool preRemove)
    {
        var decisions = new Decisions();
        for (ulong i = 0; i < count; i++)
        {
            var pgoff = new PageIndex(index.Value + i);
            var (result, entry, _) = machine.Dax.DaxLockMappingEntry(mapping, pgoff);
            if (result != DaxLockResult.Locked)
            {
                decisions.Pages.Add(pgoff);
                continue;
            }

            try
            {
                decisions.Pages.Add(pgoff);
                CollectProcsFsdax(machine, mapping, pgoff, preRemove, decisions);
            }
            finally
            {
                FsDax.DaxUnlockMappingEntry(entry!);
            }
        }

        return decisions;
    }

    /// <summary>collect_procs_fsdax(page, mapping, pgoff, &amp;to_kill, pre_remove), walking every process.</summary>
    public static void CollectProcsFsdax(Machine machine, AddressSpace mapping, PageIndex pgoff, bool preRemove, Decisions into)
    {
        var handler = machine.MemoryFailure;
        foreach (var process in machine.Tasks.Processes)
        {
            var t = preRemove ? (process.Mm is null ? null : process.Leader) : handler.TaskEarlyKill(process, forceEarly: true);
            if (t is null)
            {
                if (process.Mm is not null)
                {
                    foreach (var vma in mapping.IMmap.Query(pgoff, pgoff))
                    {
                        if (ReferenceEquals(vma.Mm, process.Mm))
                        {
                            into.Trace.Add(new CandidateSkipped(process.Leader.Name, vma.Start, "not current and not early kill (task_early_kill)"));
                        }
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

                // __add_to_kill: dev_pagemap_mapping_shift; shift 0 is dropped.
                var address = vma.AddressOf(pgoff);
                var shift = address.IsEfault ? 0 : vma.Mm.PageTable.DevPagemapMappingShift(address);
                if (address.IsEfault)
                {
                    into.ToKill.Add(new ToKill(t, address, 0));
                    into.Trace.Add(new ProcessCollected(t.Name, address, 0));
                }
                else if (shift == 0)
                {
                    into.Trace.Add(new CandidateSkipped(t.Name, vma.Start, $"the page is not mapped at {address} (no PTE/PMD, shift 0)"));
                }
                else
                {
                    into.ToKill.Add(new ToKill(t, address, shift));
                    into.Trace.Add(new ProcessCollected(t.Name, address, shift));
                }
            }
        }
    }
}
