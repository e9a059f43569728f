using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm;

/// <summary>mm/memory.c: removing a file range from every process that maps it.</summary>
internal static class Unmap
{
    /// <summary>The lists one unmap fills and copies out: reused from call to call on a thread, as the pre-remove unmaps page by page.</summary>
    [ThreadStatic]
    private static List<UnmappedEntry>? scratch;

    [ThreadStatic]
    private static List<PageTableEntry>? zappedScratch;

    /// <summary>
    /// mm/memory.c: unmap_mapping_range(mapping, holebegin, holelen, even_cows): zap every
    /// PTE/PMD/PUD that maps the file range, in every VMA of the mapping's i_mmap, whoever owns
    /// it. A huge leaf that overlaps the range goes whole (a DAX PMD split is a zap). Anonymous
    /// COW copies in private VMAs stay unless <paramref name="evenCows"/>.
    /// </summary>
    public static IReadOnlyList<UnmappedEntry> UnmapMappingRange(AddressSpace mapping, FileOffset start, ByteLength length, bool evenCows)
    {
        var removed = scratch ??= [];
        UnmapMappingRange(mapping, start, length, evenCows, removed);
        return Copy(removed);
    }

    /// <summary><see cref="UnmapMappingRange(AddressSpace, FileOffset, ByteLength, bool)"/> into <paramref name="removed"/>, which it clears first (a list the caller reuses).</summary>
    public static void UnmapMappingRange(AddressSpace mapping, FileOffset start, ByteLength length, bool evenCows, List<UnmappedEntry> removed)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(removed);
        removed.Clear();
        if (length.Value == 0)
        {
            return;
        }

        var first = new PageIndex(start.Value >> PageGeometry.PageShift);
        var last = new PageIndex((start.Value + length.Value - 1) >> PageGeometry.PageShift);
        UnmapMappingPages(mapping, first, last, evenCows, removed);
    }

    /// <summary>mm/memory.c: unmap_mapping_pages(mapping, start, nr, even_cows), with an inclusive last page.</summary>
    public static IReadOnlyList<UnmappedEntry> UnmapMappingPages(AddressSpace mapping, PageIndex first, PageIndex last, bool evenCows)
    {
        var removed = scratch ??= [];
        UnmapMappingPages(mapping, first, last, evenCows, removed);
        return Copy(removed);
    }

    private static void UnmapMappingPages(AddressSpace mapping, PageIndex first, PageIndex last, bool evenCows, List<UnmappedEntry> removed)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var zapped = zappedScratch ??= [];
        removed.Clear();
        // Zapping changes page tables, never the i_mmap, so the walk needs no snapshot.
        foreach (var vma in mapping.IMmap.Query(first, last))
        {
            var from = first < vma.Pgoff ? vma.Pgoff : first;
            var to = last > vma.LastPgoff ? vma.LastPgoff : last;
            var startAddress = vma.AddressOf(from);
            var endAddress = vma.AddressOf(to).Add(PageGeometry.PageSize);
            var owner = vma.Mm.Owner;
            vma.Mm.PageTable.Zap(startAddress, endAddress, evenCows, zapped);
            foreach (var leaf in zapped)
            {
                var name = owner is null ? new TaskName("?", vma.Mm.Id, vma.Mm.Id) : owner.Leader.Name;
                removed.Add(new UnmappedEntry(name, leaf.Address, leaf.Shift));
            }
        }

        zapped.Clear();
    }

    /// <summary>What a decision keeps: an exact-size array, not the reused list.</summary>
    private static UnmappedEntry[] Copy(List<UnmappedEntry> removed)
    {
        var copy = removed.Count == 0 ? [] : removed.ToArray();
        removed.Clear();
        return copy;
    }

    /// <summary>Every leaf of every mm that maps a pfn in [first, end): what teardown leaves stale.</summary>
    public static int CountMappingsOf(IEnumerable<MmStruct> mms, Pfn first, Pfn end)
    {
        var count = 0;
        foreach (var mm in mms)
        {
            count += mm.PageTable.Entries.Count(e => e.Kind == PteKind.Dax && e.Pfn is { } pfn && pfn < end && pfn.Add((e.Size >> PageGeometry.PageShift) - 1) >= first);
        }

        return count;
    }
}
