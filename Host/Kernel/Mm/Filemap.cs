using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;

namespace DaxHolder.Kernel.Mm;

/// <summary>
/// A page of ordinary RAM the model hands out: a page-cache page of a file that is not DAX, or an
/// anonymous page (a private COW copy). Its pfn lies below the pmem, in the machine's RAM.
/// </summary>
internal sealed class RamPage(Pfn pfn, AddressSpace? mapping, PageIndex index)
{
    public Pfn Pfn { get; } = pfn;

    /// <summary>page->mapping for a page-cache page; null for an anonymous page.</summary>
    public AddressSpace? Mapping { get; internal set; } = mapping;

    public PageIndex Index { get; } = index;

    /// <summary>PG_dirty: written through a shared mapping, not yet written back.</summary>
    public bool Dirty { get; set; }

    /// <summary>PageHWPoison.</summary>
    public bool HwPoison { get; set; }
}

/// <summary>
/// mm/filemap.c: the page cache of files that are not DAX (dax=never, a non-DAX inode, EROFS's
/// compressed and inline files, 6.1's reflinked XFS inodes), and the RAM pages the model gives
/// out. A page comes in on the first fault at its index (filemap_fault) and stays until the file is
/// truncated or evicted, or memory failure takes it. RAM pfns are handed out in order from a fixed
/// base, so runs are deterministic.
/// </summary>
internal sealed class Filemap
{
    /// <summary>The first RAM pfn handed out (256 MiB into RAM; the pmem starts far above).</summary>
    public static readonly Pfn RamBase = new(0x10000);

    private readonly Dictionary<(AddressSpace Mapping, ulong Index), RamPage> cache = [];
    private readonly Dictionary<ulong, RamPage> byPfn = [];
    private ulong next = RamBase.Value;

    /// <summary>filemap_fault(): the page at <paramref name="index"/>, read in if it is not cached.</summary>
    public RamPage FindOrRead(AddressSpace mapping, PageIndex index)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (cache.TryGetValue((mapping, index.Value), out var page))
        {
            return page;
        }

        page = Allocate(mapping, index);
        cache[(mapping, index.Value)] = page;
        return page;
    }

    /// <summary>A fresh anonymous page (do_cow_fault's copy).</summary>
    public RamPage AllocateAnonymous() => Allocate(null, default);

    /// <summary>The RAM page at <paramref name="pfn"/>, if the model handed it out.</summary>
    public RamPage? ByPfn(Pfn pfn) => byPfn.GetValueOrDefault(pfn.Value);

    /// <summary>delete_from_page_cache(): the page leaves its file (truncate, eviction, memory failure).</summary>
    public void Remove(RamPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.Mapping is { } mapping)
        {
            cache.Remove((mapping, page.Index.Value));
            page.Mapping = null;
        }
    }

    /// <summary>Writeback of a file's dirty pages (do_writepages): each becomes clean. Returns how many were written.</summary>
    public int WriteBack(AddressSpace mapping)
    {
        var dirty = cache.Where(e => ReferenceEquals(e.Key.Mapping, mapping) && e.Value.Dirty).OrderBy(e => e.Key.Index).Select(e => e.Value).ToList();
        dirty.ForEach(p => p.Dirty = false);
        return dirty.Count;
    }

    /// <summary>truncate_inode_pages_final() of a non-DAX file: every cached page goes.</summary>
    public int DropMapping(AddressSpace mapping) => DropRange(mapping, new PageIndex(0), new PageIndex(ulong.MaxValue));

    /// <summary>truncate_inode_pages_range(): the cached pages of [first, last] go.</summary>
    public int DropRange(AddressSpace mapping, PageIndex first, PageIndex last)
    {
        var pages = cache.Where(e => ReferenceEquals(e.Key.Mapping, mapping) && e.Key.Index >= first.Value && e.Key.Index <= last.Value).Select(e => e.Value).ToList();
        pages.ForEach(Remove);
        return pages.Count;
    }

    private RamPage Allocate(AddressSpace? mapping, PageIndex index)
    {
        var page = new RamPage(new Pfn(next++), mapping, index);
        byPfn[page.Pfn.Value] = page;
        return page;
    }
}
