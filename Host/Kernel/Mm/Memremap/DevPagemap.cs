using DaxHolder.Abstractions;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm.Memremap;

/// <summary>include/linux/memremap.h: enum memory_type, the pgmap types the model has.</summary>
internal enum MemoryType
{
    /// <summary>MEMORY_DEVICE_FS_DAX: a pmem pfn device (ndctl fsdax mode).</summary>
    FsDax,

    /// <summary>MEMORY_DEVICE_GENERIC: device-DAX.</summary>
    Generic,
}

/// <summary>Where the struct pages of a pfn device live (ndctl -M).</summary>
internal enum MemmapLocation
{
    /// <summary>-M mem: in RAM; no altmap, so the info-block pfns are valid pages of the pgmap.</summary>
    Ram,

    /// <summary>-M dev: on the device, in an altmap reserved at the start of the range.</summary>
    Device,
}

/// <summary>The state of the pgmap's percpu_ref.</summary>
internal enum PagemapState
{
    /// <summary>Live: get_dev_pagemap() succeeds.</summary>
    Live,

    /// <summary>percpu_ref_kill ran: tryget_live fails; transient references still drain.</summary>
    Dying,

    /// <summary>Drained and removed: the struct pages are gone.</summary>
    Removed,
}

/// <summary>
/// include/linux/memremap.h: struct dev_pagemap over one physical range, with its struct pages, its
/// altmap, its memory_failure op and its reference (mm/memremap.c). Teardown is "block new, drain
/// old" (mm/memremap.c: memunmap_pages()): kill blocks new lookups, then completion waits for the
/// transient references in flight.
/// </summary>
internal sealed class DevPagemap
{
    private readonly Dictionary<ulong, Page> pages = [];
    private readonly KernelContext kernel;

    internal DevPagemap(KernelContext kernel, string name, MemoryType type, Pfn start, ulong pageCount, ulong altmapPages, IPagemapOps? ops)
    {
        this.kernel = kernel;
        Name = name;
        Type = type;
        Start = start;
        PageCount = pageCount;
        AltmapPages = altmapPages;
        Ops = ops;
    }

    public string Name { get; }

    public MemoryType Type { get; }

    /// <summary>range.start as a pfn.</summary>
    public Pfn Start { get; }

    public ulong PageCount { get; }

    public Pfn End => Start.Add(PageCount);

    /// <summary>altmap reserve + free: the pages at the start of range 0 that hold the device's own metadata.</summary>
    public ulong AltmapPages { get; }

    /// <summary>pgmap->ops; null for device-DAX, whose failures take the generic path.</summary>
    public IPagemapOps? Ops { get; }

    public PagemapState State { get; private set; } = PagemapState.Live;

    /// <summary>Transient references held now (memory_failure in flight, GUP walks).</summary>
    public int TransientReferences { get; private set; }

    /// <summary>Whether the percpu_ref teardown is waiting for transient references to drain.</summary>
    public bool WaitingForDrain => State == PagemapState.Dying && TransientReferences > 0;

    public bool Covers(Pfn pfn) => pfn >= Start && pfn < End;

    /// <summary>
    /// include/linux/memremap.h: pgmap-&gt;vmemmap_shift: the struct pages form compound folios of
    /// 2^shift pages (device-DAX sets it from its alignment), 0 for base pages (fsdax).
    /// </summary>
    public int VmemmapShift { get; init; }

    /// <summary>The head page of the folio holding <paramref name="pfn"/> (include/linux/mm.h: pfn_folio(), compound_head()).</summary>
    public Page CompoundHead(Pfn pfn)
    {
        var pages = 1UL << VmemmapShift;
        return PageOf(Start.Add((pfn.Value - Start.Value) & ~(pages - 1)));
    }

    /// <summary>mm/memremap.c: pgmap_pfn_valid(pgmap, pfn): false for pfns inside the altmap, which memory_failure_dev_pagemap() treats as unrecoverable device metadata.</summary>
    public bool PfnValid(Pfn pfn) => Covers(pfn) && pfn.Value - Start.Value >= AltmapPages;

    /// <summary>pfn_to_page(pfn): the struct page, created on first use.</summary>
    public Page PageOf(Pfn pfn)
    {
        if (!Covers(pfn))
        {
            throw new ArgumentOutOfRangeException(nameof(pfn), pfn, $"pfn outside {Name}");
        }

        if (!pages.TryGetValue(pfn.Value, out var page))
        {
            page = new Page(pfn) { Removed = State == PagemapState.Removed };
            pages.Add(pfn.Value, page);
        }

        return page;
    }

    /// <summary>The struct pages that exist, in pfn order.</summary>
    public IEnumerable<Page> Pages => pages.Values.OrderBy(p => p.Pfn);

    /// <summary>mm/memremap.c: get_dev_pagemap(pfn): percpu_ref_tryget_live, which fails once teardown started.</summary>
    public bool TryGetLive()
    {
        if (State != PagemapState.Live)
        {
            return false;
        }

        TransientReferences++;
        return true;
    }

    /// <summary>put_dev_pagemap(): drops a transient reference; the last one completes a waiting teardown.</summary>
    public void Put()
    {
        if (TransientReferences == 0)
        {
            throw new InvalidOperationException($"put_dev_pagemap on {Name} without a reference");
        }

        TransientReferences--;
        if (State == PagemapState.Dying && TransientReferences == 0)
        {
            Remove("wait_for_completion(&pgmap->done) returned: the last transient reference was dropped");
        }
    }

    /// <summary>
    /// mm/memremap.c: memunmap_pages(pgmap): percpu_ref_kill (block new), drop the one-per-page
    /// references, wait for the transient ones (drain old), then remove the memory. If references
    /// are still held, removal completes when the last one is put.
    /// </summary>
    public void MemunmapPages()
    {
        if (State != PagemapState.Live)
        {
            return;
        }

        State = PagemapState.Dying;
        kernel.Trace.Add(new TeardownStep("percpu_ref_kill", $"{Name}: new get_dev_pagemap() lookups fail"));
        kernel.Trace.Add(new TeardownStep("put per-page references", $"{Name}: {PageCount} init references dropped"));
        if (TransientReferences > 0)
        {
            kernel.Trace.Add(new TeardownStep("wait_for_completion", $"{Name}: waiting for {TransientReferences} transient reference(s) in flight"));
            return;
        }

        Remove("wait_for_completion(&pgmap->done): nothing in flight");
    }

    private void Remove(string drained)
    {
        kernel.Trace.Add(new TeardownStep("drained", $"{Name}: {drained}"));
        State = PagemapState.Removed;
        foreach (var page in pages.Values)
        {
            page.Removed = true;
        }

        kernel.Trace.Add(new TeardownStep("arch_remove_memory", $"{Name}: struct pages {Start}-{End} removed"));
    }
}

/// <summary>include/linux/memremap.h: struct dev_pagemap_ops, the one op the model needs.</summary>
internal interface IPagemapOps
{
    /// <summary>ops->memory_failure(pgmap, pfn, nr_pages, mf_flags).</summary>
    Errno MemoryFailure(DevPagemap pagemap, Pfn pfn, ulong pages, MfFlags flags);
}
