using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm.MemoryFailure;

/// <summary>mm/memory-failure.c: the page->mapping path, mf_generic_kill_procs().</summary>
internal sealed partial class MemoryFailureHandler
{
    /// <summary>
    /// mm/memory-failure.c: mf_generic_kill_procs(pfn, flags, pgmap): lock the page's DAX entry
    /// through page->mapping (-EBUSY when the page belongs to no file: free, truncated, never
    /// faulted, or metadata); hwpoison_filter (not modelled: never filters); SetPageHWPoison;
    /// AR|MUST_KILL; collect the mappers of page->mapping at page->index; unmap and kill. On a page
    /// carrying the shared sentinel dax_lock_page() oopses, as Debian's 6.12.95 was seen to do
    /// under QEMU with an emulated NVDIMM; from 6.15 a shared folio has no mapping and the answer
    /// is -EBUSY, as Debian's 7.2.13 was seen to do.
    /// </summary>
    private Errno MfGenericKillProcs(Pfn pfn, MfFlags flags, DevPagemap pgmap)
    {
        // The folio's head (6.1: compound_head(page); 6.7+: pfn_folio(pfn)): a device-DAX compound
        // folio is locked, poisoned and collected through its head, so the mappers are told the
        // head's address with the folio's size (as Debian's 6.12.95 reported si_addr for a
        // poisoned page 1 MiB into a 2 MiB device-DAX folio).
        var page = pgmap.CompoundHead(pfn);
        if (kernel.Has(KernelFeature.FolioRefcounts) && !page.IsShared && page.Mapping is { } owner
            && owner.Entries.Lookup(page.Index) is { IsPmd: true, HasPfn: true } pmd)
        {
            // From 6.15 a PMD entry's pages are one compound folio (fs/dax.c: dax_folio_init()),
            // so the generic path works on its head too: si_addr is the PMD's start, as Debian's
            // 7.2.13 reported it for XFS without rmapbt (6.12, order-0 pages: the exact page).
            page = pgmap.PageOf(pmd.Pfn!.Value);
        }

        var cookie = dax.DaxLockPage(page, ["memory_failure"]);
        if (cookie is null)
        {
            var lockFunction = kernel.Has(KernelFeature.DaxLockFolio) ? "dax_lock_folio" : "dax_lock_page";
            var mappingField = kernel.Has(KernelFeature.FolioRefcounts) ? "folio->mapping" : "page->mapping";
            kernel.Trace.Add(new PageNotLocked(pfn, $"{lockFunction}: {mappingField} is {page.DescribeMapping(kernel.Has(KernelFeature.FolioRefcounts))}: -EBUSY"));
            return Errno.EBUSY;
        }

        try
        {
            var mapping = page.Mapping!;
            page.HwPoison = true;
            kernel.Trace.Add(new PagePoisoned(pfn));
            flags |= MfFlags.ActionRequired | MfFlags.MustKill;
            var toKill = CollectProcsFile(page, mapping);
            UnmapAndKill(toKill, pfn, mapping, page.Index, flags);
            return Errno.Ok;
        }
        finally
        {
            FsDax.DaxUnlockPage(cookie);
        }
    }
}
