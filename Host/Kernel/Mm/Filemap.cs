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

    // Each file's cached pages by index (the file's own i_pages), so dropping or writing back one
    // file's pages never walks another's; evicting a file with no page cache costs one lookup.
    private readonly Dictionary<AddressSpace, Dictionary<ulong, RamPage>> cache = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ulong, RamPage> byPfn = [];
    private ulong next = RamBase.Value;

    /// <summary>filemap_fault(): the page at <paramref name="index"/>, read in if it is not cached.</summary>
    public RamPage FindOrRead(AddressSpace mapping, PageIndex index)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (!cache.TryGetValue(mapping, out var pages))
        {
            pages = [];
            cache[mapping] = pages;
        }
        else if (pages.TryGetValue(index.Value, out var cached))
        {
            return cached;
        }

        var page = Allocate(mapping, index);
        pages[index.Value] = page;
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
            if (cache.TryGetValue(mapping, out var pages) && pages.Remove(page.Index.Value) && pages.Count == 0)
            {
                cache.Remove(mapping);
            }

            page.Mapping = null;
        }
    }

    /// <summary>Writeback of a file's dirty pages (do_writepages): each becomes clean. Returns how many were written.</summary>
    public int WriteBack(AddressSpace mapping)
    {
        var written = 0;
        foreach (var page in Cached(mapping, new PageIndex(0), new PageIndex(ulong.MaxValue)))
        {
            if (page.Dirty)
            {
                page.Dirty = false;
                written++;
            }
        }

        return written;
    }

    /// <summary>truncate_inode_pages_final() of a non-DAX file: every cached page goes.</summary>
    public int DropMapping(AddressSpace mapping) => DropRange(mapping, new PageIndex(0), new PageIndex(ulong.MaxValue));

    /// <summary>truncate_inode_pages_range(): the cached pages of [first, last] go.</summary>
    public int DropRange(AddressSpace mapping, PageIndex first, PageIndex last)
    {
        var pages = Cached(mapping, first, last);
        pages.ForEach(Remove);
        return pages.Count;
    }

    /// <summary>The file's cached pages in [first, last], in index order.</summary>
    private List<RamPage> Cached(AddressSpace mapping, PageIndex first, PageIndex last)
    {
        var found = new List<RamPage>();
        if (cache.TryGetValue(mapping, out var pages))
        {
            foreach (var (index, page) in pages)
            {
                if (index >= first.Value && index <= last.Value)
                {
                    found.Add(page);
                }
            }

            found.Sort(static (a, b) => a.Index.Value.CompareTo(b.Index.Value));
        }

        return found;
    }

    private RamPage Allocate(AddressSpace? mapping, PageIndex index)
    {
        var page = new RamPage(new Pfn(next++), mapping, index);
        byPfn[page.Pfn.Value] = page;
        return page;
    }
}
