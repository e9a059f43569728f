using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;

namespace DaxHolder.Kernel.Mm.MemoryFailure;

/// <summary>mm/memory-failure.c: the holder path's kill function, mf_dax_kill_procs().</summary>
internal sealed partial class MemoryFailureHandler
{
    /// <summary>
    /// mm/memory-failure.c: mf_dax_kill_procs(mapping, index, count, mf_flags): for each index,
    /// lock the mapping's entry (a non-DAX mapping: -EBUSY at once; no entry, or a zero or empty
    /// one: skip), SetPageHWPoison on the entry's page (the PMD head) unless pre-remove, collect
    /// the file's mappers at this index, unmap and kill with the entry's pfn. Always AR|MUST_KILL.
    /// </summary>
    public Errno MfDaxKillProcs(AddressSpace mapping, PageIndex index, PageCount count, MfFlags flags)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var preRemove = (flags & MfFlags.MemPreRemove) != 0;
        flags |= MfFlags.ActionRequired | MfFlags.MustKill;
        // One list serves every call (a pre-remove makes one per rmap record); a nested call, if
        // killing ever led to one, takes a fresh list.
        var toKill = toKillScratch ?? [];
        toKillScratch = null;
        for (ulong i = 0; i < count.Value; i++)
        {
            var pgoff = new PageIndex(index.Value + i);
            var (result, entry, page) = dax.DaxLockMappingEntry(mapping, pgoff);
            if (result == DaxLockResult.Busy)
            {
                kernel.Trace.PageExamined(mapping.Host, pgoff, null, DaxEntryState.NotDaxMapping);
                return Errno.EBUSY;
            }

            if (result == DaxLockResult.NoEntry)
            {
                kernel.Trace.PageExamined(mapping.Host, pgoff, null, entry?.State ?? DaxEntryState.NoEntry);
                continue;
            }

            try
            {
                kernel.Trace.PageExamined(mapping.Host, pgoff, page!.Pfn, entry!.State);
                if (!preRemove)
                {
                    page.HwPoison = true;
                    kernel.Trace.PagePoisoned(page.Pfn);
                }

                toKill.Clear();
                CollectProcsFsdax(page, mapping, pgoff, preRemove, toKill);
                UnmapAndKill(toKill, page.Pfn, mapping, pgoff, flags);
            }
            finally
            {
                FsDax.DaxUnlockMappingEntry(entry!);
            }
        }

        toKill.Clear();
        toKillScratch = toKill;
        return Errno.Ok;
    }

    private List<ToKill>? toKillScratch;
}
