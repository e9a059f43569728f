using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Mm.MemoryFailure;

/// <summary>mm/memory-failure.c: struct to_kill, one task's VMA to signal for a page.</summary>
internal readonly record struct ToKill(TaskStruct Task, UserAddress Address, int SizeShift);

/// <summary>mm/memory-failure.c: choosing whom to signal (task_early_kill(), collect_procs_fsdax(), collect_procs_file(), add_to_kill()).</summary>
internal sealed partial class MemoryFailureHandler
{
    /// <summary>
    /// mm/memory-failure.c: task_early_kill(tsk, force_early): no mm, never; with force_early and
    /// the mm of current, current itself (the thread); otherwise find_early_kill_thread().
    /// </summary>
    internal TaskStruct? TaskEarlyKill(ThreadGroup process, bool forceEarly)
    {
        if (process.Mm is null)
        {
            return null;
        }

        if (forceEarly && Current?.Group.Mm is { } currentMm && ReferenceEquals(process.Mm, currentMm))
        {
            return Current;
        }

        return FindEarlyKillThread(process);
    }

    /// <summary>
    /// mm/memory-failure.c: find_early_kill_thread(tsk): the first thread with PF_MCE_PROCESS and
    /// PF_MCE_EARLY, or without PF_MCE_PROCESS while vm.memory_failure_early_kill is 1.
    /// </summary>
    internal TaskStruct? FindEarlyKillThread(ThreadGroup process)
    {
        var threads = process.Threads;
        for (var i = 0; i < threads.Count; i++)
        {
            var thread = threads[i];
            if ((thread.Flags & TaskFlags.McePolicy) != 0)
            {
                if ((thread.Flags & TaskFlags.MceEarly) != 0)
                {
                    return thread;
                }
            }
            else if (kernel.Sysctls.MemoryFailureEarlyKill == 1)
            {
                return thread;
            }
        }

        return null;
    }

    /// <summary>
    /// mm/memory-failure.c: collect_procs_fsdax(page, mapping, pgoff, &amp;to_kill, pre_remove): for
    /// each process (creation order), the early-kill candidate (or, for pre-remove on 6.7+, the
    /// leader of every process with an mm), then every VMA of its mm in the file's i_mmap that
    /// covers pgoff, at vma_address(vma, pgoff, 1). The entries are added to <paramref name="into"/>
    /// when given (a list the caller reuses page after page), else to a new list.
    /// </summary>
    internal List<ToKill> CollectProcsFsdax(Page page, AddressSpace mapping, PageIndex pgoff, bool preRemove, List<ToKill>? into = null)
    {
        var toKill = into ?? [];
        using var mappers = MappersInTaskOrder(mapping, pgoff);
        foreach (var (process, vmas) in mappers)
        {
            var t = preRemove ? process.Leader : TaskEarlyKill(process, forceEarly: true);
            if (t is null)
            {
                NoteNotCandidate(process, vmas);
                continue;
            }

            foreach (var vma in vmas)
            {
                AddToKill(toKill, t, page, vma, vma.AddressOf(pgoff), skipEfault: false);
            }
        }

        return toKill;
    }

    /// <summary>
    /// mm/memory-failure.c: collect_procs_file(page, &amp;to_kill, force_early=true) for the generic
    /// path: page->mapping's i_mmap at page->index, at page_address_in_vma(). ≤6.9 keeps a
    /// -EFAULT address (and later SIGKILLs); 6.10+ skips it (__add_to_kill()).
    /// </summary>
    internal List<ToKill> CollectProcsFile(Page page, AddressSpace mapping)
    {
        var toKill = new List<ToKill>();
        var pgoff = page.Index;
        using var mappers = MappersInTaskOrder(mapping, pgoff);
        foreach (var (process, vmas) in mappers)
        {
            var t = TaskEarlyKill(process, forceEarly: true);
            if (t is null)
            {
                NoteNotCandidate(process, vmas);
                continue;
            }

            foreach (var vma in vmas)
            {
                var address = ReferenceEquals(vma.File?.Mapping, page.Mapping) ? vma.AddressOf(pgoff) : UserAddress.Efault;
                AddToKill(toKill, t, page, vma, address, skipEfault: kernel.Has(KernelFeature.GenericPathSkipsEfaultAddress));
            }
        }

        return toKill;
    }

    /// <summary>
    /// The kernel's walk order without its cost: collect_procs_fsdax and
    /// collect_procs_file run for_each_process (creation order) and, per process, the i_mmap
    /// VMAs of pgoff whose vm_mm is that process's mm (i_mmap order). Only processes with such
    /// a VMA can add or note anything, so the host asks the i_mmap interval tree once and visits
    /// its VMAs' processes in creation order, each with its VMAs in i_mmap order: the same
    /// entries in the same order as the kernel, in O(mappers · log mappers) instead of
    /// O(processes · mappers). Every mm has one owning process (the model has no CLONE_VM
    /// without CLONE_THREAD); exited processes and kernel threads (no mm) are not walked, as
    /// for_each_process's live tasks with an mm. bench/ keeps the kernel's loop as its baseline.
    /// The mappers are kept in one flat list, reused from page to page (see <see cref="Mappers"/>).
    /// </summary>
    internal Mappers MappersInTaskOrder(AddressSpace mapping, PageIndex pgoff)
    {
        var mappers = spareMappers ?? new Mappers(this);
        spareMappers = null;
        mappers.Fill(mapping, pgoff);
        return mappers;
    }

    private Mappers? spareMappers;

    /// <summary>
    /// The processes mapping a page with their VMAs (<see cref="MappersInTaskOrder"/>): one flat
    /// list of (process, VMA) sorted by process creation order and then i_mmap order, read as
    /// groups. Disposing it hands the list back to the handler for the next page.
    /// </summary>
    internal sealed class Mappers(MemoryFailureHandler owner) : IDisposable
    {
        private readonly List<(ThreadGroup Process, VmArea Vma, int Order)> flat = [];

        public void Fill(AddressSpace mapping, PageIndex pgoff)
        {
            flat.Clear();
            foreach (var vma in mapping.IMmap.Query(pgoff, pgoff))
            {
                if (vma.Mm.Owner is not { Exited: false, Mm: { } mm } process || !ReferenceEquals(mm, vma.Mm))
                {
                    continue;
                }

                flat.Add((process, vma, flat.Count));
            }

            // Creation orders are unique; within a process the i_mmap order is kept.
            if (flat.Count > 1)
            {
                flat.Sort(static (a, b) => a.Process.CreationOrder != b.Process.CreationOrder
                    ? a.Process.CreationOrder.CompareTo(b.Process.CreationOrder)
                    : a.Order.CompareTo(b.Order));
            }
        }

        public GroupEnumerator GetEnumerator() => new(flat);

        public void Dispose()
        {
            flat.Clear();
            owner.spareMappers = this;
        }

        /// <summary>Each process once, with its VMAs.</summary>
        internal struct GroupEnumerator(List<(ThreadGroup Process, VmArea Vma, int Order)> flat)
        {
            private int start;
            private int end;

            public readonly (ThreadGroup Process, Vmas Vmas) Current => (flat[start].Process, new Vmas(flat, start, end));

            public bool MoveNext()
            {
                start = end;
                if (start >= flat.Count)
                {
                    return false;
                }

                end = start + 1;
                while (end < flat.Count && ReferenceEquals(flat[end].Process, flat[start].Process))
                {
                    end++;
                }

                return true;
            }
        }
    }

    /// <summary>One process's VMAs of a page, in i_mmap order.</summary>
    internal readonly struct Vmas(List<(ThreadGroup Process, VmArea Vma, int Order)> flat, int start, int end)
    {
        public Enumerator GetEnumerator() => new(flat, start - 1, end);

        internal struct Enumerator(List<(ThreadGroup Process, VmArea Vma, int Order)> flat, int at, int end)
        {
            public readonly VmArea Current => flat[at].Vma;

            public bool MoveNext() => ++at < end;
        }
    }

    /// <summary>
    /// mm/memory-failure.c: __add_to_kill(): size_shift = dev_pagemap_mapping_shift(); an entry
    /// with shift 0 (the page is not mapped there now) is dropped; an -EFAULT address is logged
    /// "Unable to find user space address" and kept (≤6.9) or skipped (6.10+).
    /// </summary>
    private void AddToKill(List<ToKill> toKill, TaskStruct t, Page page, VmArea vma, UserAddress address, bool skipEfault)
    {
        if (address.IsEfault)
        {
            if (skipEfault)
            {
                kernel.Trace.CandidateNoUserAddress(t.Name, vma.Start);
                return;
            }

            kernel.Log.Printk(KernelLogLevel.Info, $"Memory failure: Unable to find user space address {page.Pfn.Value:x} in {t.Comm}");
            toKill.Add(new ToKill(t, address, 0));
            kernel.Trace.ProcessCollected(t.Name, address, 0);
            return;
        }

        var shift = vma.Mm.PageTable.DevPagemapMappingShift(address, kernel.Has(KernelFeature.MappingShiftAnyPresentPte));
        if (shift == 0)
        {
            kernel.Trace.CandidateNotMapped(t.Name, vma.Start, address);
            return;
        }

        toKill.Add(new ToKill(t, address, shift));
        kernel.Trace.ProcessCollected(t.Name, address, shift);
    }

    /// <summary>Reports a process that maps the page but is not a candidate (not current, not early kill).</summary>
    private void NoteNotCandidate(ThreadGroup process, Vmas vmas)
    {
        foreach (var vma in vmas)
        {
            kernel.Trace.CandidateNotEarlyKill(process.Leader.Name, vma.Start);
        }
    }
}
