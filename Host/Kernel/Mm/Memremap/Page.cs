using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;

namespace DaxHolder.Kernel.Mm.Memremap;

/// <summary>
/// include/linux/mm_types.h: struct page of a ZONE_DEVICE pfn, reduced to the fields fsdax
/// memory failure reads: the association with a file (page->mapping, page->index), the shared
/// sentinel with its share count (PAGE_MAPPING_DAX_COW in 6.0–6.1, PAGE_MAPPING_DAX_SHARED and
/// page->share in 6.2–6.14: mapping = 0x1), PageHWPoison, and the refcount (1 when idle, ≤6.14).
/// </summary>
internal sealed class Page
{
    internal Page(Pfn pfn) => Pfn = pfn;

    public Pfn Pfn { get; }

    /// <summary>page->mapping when it points at a file; null when unassociated or shared.</summary>
    public AddressSpace? Mapping { get; private set; }

    /// <summary>page->mapping == PAGE_MAPPING_DAX_SHARED (the value 0x1).</summary>
    public bool IsShared { get; private set; }

    /// <summary>page->index for an associated page; the share count (page->share) for a shared one.</summary>
    public ulong IndexOrShare { get; private set; }

    public PageIndex Index => new(IndexOrShare);

    /// <summary>PageHWPoison.</summary>
    public bool HwPoison { get; set; }

    /// <summary>page->_refcount: 1 when idle (fsdax ≤6.14 is 1-based: include/linux/dax.h: dax_page_idle()).</summary>
    public int RefCount { get; set; } = 1;

    /// <summary>The struct page no longer exists (memunmap_pages removed the memory).</summary>
    public bool Removed { get; internal set; }

    internal void Associate(AddressSpace mapping, PageIndex index)
    {
        Mapping = mapping;
        IsShared = false;
        IndexOrShare = index.Value;
    }

    /// <summary>Marks the page shared, starting the share count at 1 if it had a normal association.</summary>
    internal void ShareOnce()
    {
        if (!IsShared)
        {
            IndexOrShare = Mapping is null ? 0UL : 1UL;
            Mapping = null;
            IsShared = true;
        }

        IndexOrShare++;
    }

    /// <summary>Drops one share; the last one clears the association. Returns whether it was the last.</summary>
    internal bool Unshare()
    {
        if (IndexOrShare > 1)
        {
            IndexOrShare--;
            return false;
        }

        Clear();
        return true;
    }

    internal void Clear()
    {
        Mapping = null;
        IsShared = false;
        IndexOrShare = 0;
    }

    /// <summary>
    /// What page->mapping holds, as a report names it; with folio refcounts (6.15+) a shared folio
    /// has mapping NULL and its count in folio->share.
    /// </summary>
    public string DescribeMapping(bool folioRefcounts = false) => IsShared
        ? folioRefcounts ? $"NULL (shared folio, share {IndexOrShare})" : $"PAGE_MAPPING_DAX_SHARED (share {IndexOrShare})"
        : Mapping is null ? "NULL" : $"{Mapping} index {IndexOrShare}";
}
