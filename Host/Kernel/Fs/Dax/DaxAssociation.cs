using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>fs/dax.c: associating pages with the file that maps them, and the entry locks memory failure takes.</summary>
internal sealed partial class FsDax
{
    /// <summary>
    /// fs/dax.c: dax_associate_entry(entry, mapping, vma, address, shared): every 4 KiB page of the
    /// entry gets page->mapping and page->index (≤6.14), or, when shared, the
    /// PAGE_MAPPING_DAX_SHARED sentinel with its share count raised. Zero and empty entries are
    /// never associated. On a non-shared association of a page that another file already owns the
    /// kernel WARNs once per boot and overwrites the owner (as Debian's 6.1.192 was seen to do with
    /// a reflinked DAX inode under QEMU).
    /// </summary>
    internal void DaxAssociateEntry(DaxEntry entry, AddressSpace mapping, PageIndex index, bool shared, int pid)
    {
        if (!entry.HasPfn)
        {
            return;
        }

        for (ulong i = 0; i < entry.Pages; i++)
        {
            var page = PageOf(entry.Pfn!.Value.Add(i));
            if (shared)
            {
                page.ShareOnce();
                continue;
            }

            if (page.Mapping is not null || page.IsShared)
            {
                WarnOnAssociatedPage(pid);
            }

            page.Associate(mapping, new PageIndex(entry.Index.Value + i));
        }
    }

    /// <summary>
    /// fs/dax.c: dax_disassociate_entry(entry, mapping, trunc): a shared page loses one
    /// share and its association with the last; any other page gets mapping NULL and index 0. Up
    /// to 6.14 a page that another file re-associated (6.1's reflinked DAX inodes) trips
    /// WARN_ON_ONCE(page-&gt;mapping &amp;&amp; page-&gt;mapping != mapping) first, once per boot: Debian's
    /// 6.1.192 printed it at fs/dax.c:404 when umount evicted the file that lost the page. 6.15+
    /// has no WARN there.
    /// </summary>
    internal void DaxDisassociateEntry(DaxEntry entry, AddressSpace mapping)
    {
        if (!entry.HasPfn)
        {
            return;
        }

        for (ulong i = 0; i < entry.Pages; i++)
        {
            var page = PageOf(entry.Pfn!.Value.Add(i));
            if (page.IsShared)
            {
                page.Unshare();
            }
            else
            {
                if (page.Mapping is not null && !ReferenceEquals(page.Mapping, mapping))
                {
                    WarnOnReassociatedPage();
                }

                page.Clear();
            }
        }
    }

    /// <summary>
    /// fs/dax.c: dax_lock_page(page) (6.7+: dax_lock_folio), as mf_generic_kill_procs() calls it:
    /// null (cookie 0) when page->mapping is NULL or not DAX; for device-DAX (S_ISCHR host) no
    /// entry lock is taken; otherwise the entry at page->index is locked. Up to 6.14 it has no check
    /// for the shared sentinel and dereferences 0x1 as an address_space: the oops Debian's 6.12.95
    /// was seen to hit under QEMU. From 6.15 (folio refcounts) a shared folio keeps its share count
    /// in folio->share with folio->mapping NULL, so the lock fails and the caller gets -EBUSY, as
    /// Debian's 7.2.13 was seen to do.
    /// </summary>
    internal DaxEntry? DaxLockPage(Page page, IReadOnlyList<string> caller)
    {
        var function = kernel.Has(KernelFeature.DaxLockFolio) ? "dax_lock_folio" : "dax_lock_page";
        if (page.IsShared && !kernel.Has(KernelFeature.FolioRefcounts))
        {
            throw new KernelOops("BUG: kernel NULL pointer dereference, address: 0000000000000001", [function, .. caller]);
        }

        if (page.Mapping is not { IsDax: true } mapping)
        {
            return null;
        }

        if (mapping.IsCharDevice)
        {
            return DeviceDaxCookie;
        }

        var entry = mapping.Entries.Lookup(page.Index);
        if (entry is null)
        {
            return null;
        }

        entry.Flags |= DaxEntryFlags.Locked;
        return entry;
    }

    /// <summary>fs/dax.c: dax_unlock_page(page, cookie).</summary>
    internal static void DaxUnlockPage(DaxEntry cookie)
    {
        if (!ReferenceEquals(cookie, DeviceDaxCookie))
        {
            cookie.Flags &= ~DaxEntryFlags.Locked;
        }
    }

    /// <summary>
    /// fs/dax.c: dax_lock_mapping_entry(mapping, index, &amp;page), as mf_dax_kill_procs() calls
    /// it: Busy for a non-DAX mapping; NoEntry (cookie ~0, page NULL) when there is no entry or a
    /// zero or empty one; otherwise the locked entry and pfn_to_page of its pfn, which under a PMD
    /// entry is the first page of the 2 MiB, not the failing one.
    /// </summary>
    internal (DaxLockResult Result, DaxEntry? Entry, Page? Page) DaxLockMappingEntry(AddressSpace mapping, PageIndex index)
    {
        if (!mapping.IsDax)
        {
            return (DaxLockResult.Busy, null, null);
        }

        var entry = mapping.Entries.Lookup(index);
        if (entry is null || !entry.HasPfn)
        {
            return (DaxLockResult.NoEntry, entry, null);
        }

        entry.Flags |= DaxEntryFlags.Locked;
        return (DaxLockResult.Locked, entry, PageOf(entry.Pfn!.Value));
    }

    /// <summary>fs/dax.c: dax_unlock_mapping_entry(mapping, index, cookie).</summary>
    internal static void DaxUnlockMappingEntry(DaxEntry entry) => entry.Flags &= ~DaxEntryFlags.Locked;

    private void WarnOnAssociatedPage(int pid)
    {
        // dax_associate_entry: WARN_ON_ONCE(page->mapping), inlined into dax_insert_entry. Debian's
        // 6.1.192 was seen to print it at fs/dax.c:380 under QEMU; the line in the 6.2+ code was
        // not observed, so it is printed without one. The "+0x.../0x..." offset and the module list
        // of a real report are not modelled.
        var site = kernel.Has(KernelFeature.DaxSharedOnReadFault) ? "fs/dax.c" : "fs/dax.c:380";
        if (kernel.Log.FirstWarning(site))
        {
            var line = $"WARNING: CPU: 0 PID: {pid} at {site} dax_insert_entry";
            kernel.Log.Printk(KernelLogLevel.Warning, line);
            kernel.Trace.Add(new KernelHealthEvent(KernelHealthKind.Warning, line, ["dax_associate_entry", "dax_insert_entry", "dax_fault_iter"]));
        }
    }

    private void WarnOnReassociatedPage()
    {
        if (kernel.Has(KernelFeature.FolioRefcounts))
        {
            return;
        }

        // 6.1.192 was seen to print fs/dax.c:404 (umount of a reflinked file); the 6.12 line was not observed.
        var site = kernel.Has(KernelFeature.DaxSharedOnReadFault) ? "fs/dax.c" : "fs/dax.c:404";
        if (!kernel.Log.FirstWarning(site + " dax_disassociate_entry"))
        {
            return;
        }

        var pid = kernel.CurrentPid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
        if (kernel.CurrentPid is null)
        {
            kernel.Trace.Add(new NotModelled("the WARNING names current's PID: the process running this umount or eviction is not a task of the scenario (cycle-mount: { task: NAME } names it)"));
        }

        var line = $"WARNING: CPU: 0 PID: {pid} at {site} dax_disassociate_entry";
        kernel.Log.Printk(KernelLogLevel.Warning, line);
        kernel.Trace.Add(new KernelHealthEvent(KernelHealthKind.Warning, line, ["dax_disassociate_entry", "dax_delete_mapping_entry", "truncate_inode_pages_range", "evict"]));
    }

    private Page PageOf(Pfn pfn) =>
        memremap.Find(pfn)?.PageOf(pfn) ?? throw new InvalidOperationException($"pfn {pfn} is not device memory");

    /// <summary>The cookie dax_lock_page returns for device-DAX, which takes no entry lock.</summary>
    private static readonly DaxEntry DeviceDaxCookie = new(default, null, DaxEntryFlags.None);
}

/// <summary>The three answers of dax_lock_mapping_entry().</summary>
internal enum DaxLockResult
{
    /// <summary>Cookie 0: not a DAX mapping (mf_dax_kill_procs returns -EBUSY).</summary>
    Busy,

    /// <summary>Cookie ~0 with page NULL: nothing mapped at this index; skip it.</summary>
    NoEntry,

    /// <summary>The entry is locked and its page returned.</summary>
    Locked,
}
