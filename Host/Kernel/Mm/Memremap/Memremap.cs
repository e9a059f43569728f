using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Mm.Memremap;

/// <summary>
/// mm/memremap.c and the sparse memory model: the device pagemaps of one machine and the pfn
/// questions memory_failure asks. The model has no ordinary RAM: a pfn no pgmap covers is a hole
/// (pfn_valid false), so pfn_to_online_page() is NULL for every pfn it knows.
/// </summary>
internal sealed class DevPagemaps
{
    private readonly List<DevPagemap> pagemaps = [];

    public IReadOnlyList<DevPagemap> Pagemaps => pagemaps;

    internal void Add(DevPagemap pagemap)
    {
        if (pagemaps.Any(p => p.Start < pagemap.End && pagemap.Start < p.End))
        {
            throw new InvalidOperationException($"{pagemap.Name} overlaps another device's physical range");
        }

        pagemaps.Add(pagemap);
    }

    /// <summary>pfn_valid(pfn): a struct page exists (the pgmap's memory has not been removed).</summary>
    public bool PfnValid(Pfn pfn) => Find(pfn) is { State: not PagemapState.Removed };

    /// <summary>The pgmap whose range covers <paramref name="pfn"/>, in any state.</summary>
    public DevPagemap? Find(Pfn pfn)
    {
        foreach (var pagemap in pagemaps)
        {
            if (pagemap.Covers(pfn))
            {
                return pagemap;
            }
        }

        return null;
    }

    /// <summary>mm/memremap.c: get_dev_pagemap(pfn, NULL): the live pgmap with a reference taken, or null.</summary>
    public DevPagemap? GetDevPagemap(Pfn pfn) => Find(pfn) is { } pgmap && pgmap.TryGetLive() ? pgmap : null;
}
