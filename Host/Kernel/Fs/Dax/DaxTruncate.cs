using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>fs/dax.c: removing entries on truncate, punch, invalidation and eviction.</summary>
internal sealed partial class FsDax
{
    /// <summary>The entries one invalidation walks: pre-remove invalidates every file record, so the list is reused.</summary>
    private readonly List<DaxEntry> invalidateScratch = [];

    /// <summary>
    /// fs/dax.c: dax_delete_mapping_entry(mapping, index) for every entry overlapping [first,
    /// last]: each is disassociated (a shared page loses one share) and removed. A PMD entry that
    /// overlaps the range goes whole.
    /// </summary>
    public int DaxDeleteMappingEntries(AddressSpace mapping, PageIndex first, PageIndex last)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var entries = mapping.Entries.InRange(first, last);
        foreach (var entry in entries)
        {
            if (entry.HasPfn && PageOf(entry.Pfn!.Value).Removed)
            {
                OopsOnRemovedPage(entry.Pfn!.Value);
            }

            DaxDisassociateEntry(entry, mapping);
            mapping.Entries.Remove(entry);
        }

        return entries.Count;
    }

    /// <summary>
    /// An entry whose pages memunmap_pages() removed (the device was unbound while the file kept
    /// its entries): the first read of its struct page faults on the unmapped memmap. Up to 6.14 that
    /// is dax_disassociate_entry()'s page_ref_count() (as Debian's 6.1.192 and 6.12.95 were seen to
    /// oops at unmount after unbind); from 6.15 ext4 and XFS evict through dax_break_layout_final(),
    /// whose dax_busy_page() reads the same struct page first (read from the code, not observed).
    /// The faulting address is the page's _refcount in the memmap at the default vmemmap base; Debian
    /// kernels randomize that base at every boot, so a real report shows another address.
    /// </summary>
    private void OopsOnRemovedPage(Pfn pfn)
    {
        const ulong VmemmapBase = 0xffffea0000000000;
        const ulong StructPageSize = 64;
        const ulong RefcountOffset = 0x34;
        var address = VmemmapBase + (pfn.Value * StructPageSize) + RefcountOffset;
        kernel.Trace.Add(new NotModelled($"the faulting address is pfn {pfn}'s struct page at the default vmemmap base; with CONFIG_RANDOMIZE_MEMORY a real kernel shows another address at every boot"));
        IReadOnlyList<string> chain = kernel.Has(KernelFeature.FolioRefcounts)
            ? ["dax_busy_page", "dax_layout_busy_page_range", "dax_break_layout_final", "evict"]
            : ["dax_disassociate_entry", "dax_delete_mapping_entry", "truncate_inode_pages_range", "evict"];
        throw new KernelOops($"BUG: unable to handle page fault for address: {address:x16}", chain);
    }

    /// <summary>
    /// fs/dax.c: dax_invalidate_mapping_entry_sync() over [first, last] (via
    /// mm/truncate.c: invalidate_inode_pages2_range()): clean entries are disassociated and
    /// removed, dirty ones stay, and then the answer is -EBUSY.
    /// </summary>
    public Errno DaxInvalidateMappingEntries(AddressSpace mapping, PageIndex first, PageIndex last)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var result = Errno.Ok;
        var entries = invalidateScratch;
        entries.Clear();
        mapping.Entries.InRange(first, last, entries);
        foreach (var entry in entries)
        {
            if (entry.Dirty)
            {
                result = Errno.EBUSY;
                continue;
            }

            DaxDisassociateEntry(entry, mapping);
            mapping.Entries.Remove(entry);
        }

        entries.Clear();
        return result;
    }
}
