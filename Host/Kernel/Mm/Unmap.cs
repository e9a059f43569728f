using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm;

/// <summary>mm/memory.c: removing a file range from every process that maps it.</summary>
internal static class Unmap
{
    /// <summary>
    /// mm/memory.c: unmap_mapping_range(mapping, holebegin, holelen, even_cows): zap every
    /// PTE/PMD/PUD that maps the file range, in every VMA of the mapping's i_mmap, whoever owns
    /// it. A huge leaf that overlaps the range goes whole (a DAX PMD split is a zap). Anonymous
    /// COW copies in private VMAs stay unless <paramref name="evenCows"/>.
    /// </summary>
    public static IReadOnlyList<UnmappedEntry> UnmapMappingRange(AddressSpace mapping, FileOffset start, ByteLength length, bool evenCows)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (length.Value == 0)
        {
            return [];
        }

        var first = new PageIndex(start.Value >> PageGeometry.PageShift);
        var last = new PageIndex((start.Value + length.Value - 1) >> PageGeometry.PageShift);
        return UnmapMappingPages(mapping, first, last, evenCows);
    }

    /// <summary>mm/memory.c: unmap_mapping_pages(mapping, start, nr, even_cows), with an inclusive last page.</summary>
    public static IReadOnlyList<UnmappedEntry> UnmapMappingPages(AddressSpace mapping, PageIndex first, PageIndex last, bool evenCows)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var removed = new List<UnmappedEntry>();
        // Zapping changes page tables, never the i_mmap, so the walk needs no snapshot.
        foreach (var vma in mapping.IMmap.Query(first, last))
        {
            var from = first < vma.Pgoff ? vma.Pgoff : first;
            var to = last > vma.LastPgoff ? vma.LastPgoff : last;
            var startAddress = vma.AddressOf(from);
            var endAddress = vma.AddressOf(to).Add(PageGeometry.PageSize);
            var owner = vma.Mm.Owner;
            foreach (var leaf in vma.Mm.PageTable.Zap(startAddress, endAddress, evenCows))
            {
                var name = owner is null ? new TaskName("?", vma.Mm.Id, vma.Mm.Id) : owner.Leader.Name;
                removed.Add(new UnmappedEntry(name, leaf.Address, leaf.Shift));
            }
        }

        // Decisions keep this list: an exact-size array, not the list's spare capacity.
        return removed.Count == 0 ? [] : removed.ToArray();
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
