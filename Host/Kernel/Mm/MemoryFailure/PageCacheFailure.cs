using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm.MemoryFailure;

/// <summary>mm/memory-failure.c: memory_failure() for an online page: a page-cache page of a file that is not DAX.</summary>
internal sealed partial class MemoryFailureHandler
{
    /// <summary>
    /// mm/memory-failure.c: memory_failure() on an LRU page-cache page (order 0): an already
    /// poisoned page is -EHWPOISON; otherwise SetPageHWPoison, then hwpoison_user_mappings():
    /// collect_procs_file() (current only with MF_ACTION_REQUIRED, else the early-kill tasks), every
    /// PTE of the page unmapped (try_to_unmap; a mapped clean page says "corrupted page was clean:
    /// dropped without side effects"), and the collected tasks signalled only when the
    /// page was dirty or MF_MUST_KILL is set (kill_procs(forcekill)); then the page leaves the
    /// cache (me_pagecache_clean(); a dirty page also sets AS_EIO on its file,
    /// me_pagecache_dirty()) and action_result says "clean LRU page" or "dirty LRU page":
    /// Recovered, as Debian's 6.1.192 printed for a clean page of a reflinked (non-DAX) XFS file.
    /// </summary>
    private Errno MemoryFailurePageCache(RamPage page, MfFlags flags)
    {
        var pfn = page.Pfn;
        if (page.HwPoison)
        {
            kernel.Log.Printk(KernelLogLevel.Err, $"Memory failure: {pfn}: already hardware poisoned");
            return Errno.EHWPOISON;
        }

        page.HwPoison = true;
        kernel.Trace.Add(new PagePoisoned(pfn));
        if (page.Mapping is not { } mapping)
        {
            kernel.Trace.Add(new NotModelled($"pfn {pfn} is an anonymous page: poisoning anonymous memory is outside the model"));
            return Errno.Ok;
        }

        var toKill = new List<ToKill>();
        var forceEarly = (flags & MfFlags.ActionRequired) != 0;
        using var mappers = MappersInTaskOrder(mapping, page.Index);
        foreach (var (process, vmas) in mappers)
        {
            var t = TaskEarlyKill(process, forceEarly);
            if (t is null)
            {
                NoteNotCandidate(process, vmas);
                continue;
            }

            foreach (var vma in vmas)
            {
                var address = vma.AddressOf(page.Index);
                toKill.Add(new ToKill(t, address, PageGeometry.PageShift));
                kernel.Trace.Add(new ProcessCollected(t.Name, address, PageGeometry.PageShift));
            }
        }

        // A mapped clean page of a file that writes back: page_mkclean() finds no dirty PTE, so the
        // page is unmapped without installing hwpoison entries (hwpoison_user_mappings()).
        var mapped = false;
        foreach (var vma in mapping.IMmap.Query(page.Index, page.Index))
        {
            mapped |= vma.Mm.PageTable.Lookup(vma.AddressOf(page.Index)) is { Kind: PteKind.PageCache } leaf && leaf.Pfn == pfn;
        }

        if (mapped && !page.Dirty && (flags & MfFlags.MustKill) == 0)
        {
            kernel.Log.Printk(KernelLogLevel.Info, $"Memory failure: {pfn}: corrupted page was clean: dropped without side effects");
        }

        // try_to_unmap(): every PTE of the page goes, in every mm that maps the file there.
        var removed = Unmap.UnmapMappingPages(mapping, page.Index, page.Index, evenCows: false);
        kernel.Trace.Add(new RangeUnmapped(mapping.Host, new FileOffset(page.Index.Value << PageGeometry.PageShift), ByteLength.Page, removed));
        var dirty = page.Dirty;
        if (dirty)
        {
            // me_pagecache_dirty(): mapping_set_error(mapping, -EIO), which the file's next fsync reports.
            mapping.WbErr.Set();
        }

        KillProcs(toKill, forceKill: dirty || (flags & MfFlags.MustKill) != 0, pfn, flags);
        filemap.Remove(page);
        ActionResult(pfn, MfActionResult.Recovered, dirty ? "dirty LRU page" : "clean LRU page");
        return Errno.Ok;
    }
}
