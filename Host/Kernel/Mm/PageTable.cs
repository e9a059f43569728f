using DaxHolder.Abstractions;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Mm;

/// <summary>What a present page-table entry points at.</summary>
internal enum PteKind
{
    /// <summary>A devmap entry for a pmem page (pte_devmap / pmd_devmap / pud_devmap).</summary>
    Dax,

    /// <summary>The shared zero page (or huge zero folio): read-only, not devmap.</summary>
    ZeroPage,

    /// <summary>An anonymous page: a private COW copy that left the DAX path.</summary>
    Anonymous,

    /// <summary>A page-cache page in RAM of a file that is not DAX.</summary>
    PageCache,
}

/// <summary>One present PTE, PMD or PUD leaf.</summary>
internal sealed record PageTableEntry(UserAddress Address, int Shift, PteKind Kind, Pfn? Pfn, bool Writable)
{
    public ulong Size => 1UL << Shift;
}

/// <summary>
/// The page tables of one mm, reduced to what the model needs: which leaf (PTE, PMD or PUD) maps
/// an address and to what. Leaves are kept per level, keyed by their aligned address, in a hash:
/// a fault, a lookup and a zap of a page cost O(1), as the real walk reads a fixed number of
/// levels; the rare walks over every leaf (fork, a whole-range zap) sort by address.
/// </summary>
internal sealed class PageTable
{
    private static readonly int[] LeafShifts = [PageGeometry.PudShift, PageGeometry.PmdShift, PageGeometry.PageShift];
    private readonly Dictionary<ulong, PageTableEntry> leaves = [];

    /// <summary>
    /// PTE leaves under each PMD slot (keyed by the PMD-aligned address): the model's pmd_none()
    /// test for "a PTE table exists here", answered in O(1) as the real walk reads one PMD entry.
    /// </summary>
    private readonly Dictionary<ulong, int> ptesUnderPmd = [];

    /// <summary>Every leaf, in address order.</summary>
    public IEnumerable<PageTableEntry> Entries
    {
        get
        {
            var all = new List<PageTableEntry>(leaves.Values);
            SortByAddress(all);
            return all;
        }
    }

    public int Count => leaves.Count;

    /// <summary>The leaf mapping <paramref name="address"/>, if any (a PUD, then a PMD, then a PTE).</summary>
    public PageTableEntry? Lookup(UserAddress address)
    {
        foreach (var shift in LeafShifts)
        {
            var key = address.AlignDown(1UL << shift).Value;
            if (leaves.TryGetValue(key, out var entry) && entry.Shift == shift)
            {
                return entry;
            }
        }

        return null;
    }

    public void Set(PageTableEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (leaves.TryGetValue(entry.Address.Value, out var old))
        {
            Uncount(old);
        }

        leaves[entry.Address.Value] = entry;
        if (entry.Shift == PageGeometry.PageShift)
        {
            var pmd = entry.Address.AlignDown(PageGeometry.PmdSize).Value;
            ptesUnderPmd[pmd] = ptesUnderPmd.GetValueOrDefault(pmd) + 1;
        }
    }

    /// <summary>!pmd_none() &amp;&amp; !pmd_trans_huge(): PTE leaves exist under the PMD at <paramref name="pmdAddress"/>.</summary>
    public bool HasPteTable(UserAddress pmdAddress) => ptesUnderPmd.ContainsKey(pmdAddress.AlignDown(PageGeometry.PmdSize).Value);

    /// <summary>Removes and returns every leaf that overlaps [start, end), in address order.</summary>
    public List<PageTableEntry> Zap(UserAddress start, UserAddress end, bool evenCows)
    {
        var removed = new List<PageTableEntry>();
        Zap(start, end, evenCows, removed);
        return removed;
    }

    /// <summary><see cref="Zap(UserAddress, UserAddress, bool)"/> into <paramref name="removed"/>, which it clears first (a list the caller reuses).</summary>
    public void Zap(UserAddress start, UserAddress end, bool evenCows, List<PageTableEntry> removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        removed.Clear();
        var pages = (end.Value - start.Value) >> PageGeometry.PageShift;
        if (pages < (ulong)leaves.Count)
        {
            Probe(start, end, removed);
        }
        else
        {
            removed.AddRange(leaves.Values);
        }

        // Keep, in place and in order, the leaves that overlap the range and may go.
        var kept = 0;
        for (var i = 0; i < removed.Count; i++)
        {
            var entry = removed[i];
            var overlaps = entry.Address.Value + entry.Size > start.Value && entry.Address.Value < end.Value;
            if (overlaps && (entry.Kind != PteKind.Anonymous || evenCows))
            {
                removed[kept++] = entry;
            }
        }

        removed.RemoveRange(kept, removed.Count - kept);
        SortByAddress(removed);
        foreach (var entry in removed)
        {
            leaves.Remove(entry.Address.Value);
            Uncount(entry);
        }
    }

    private void Uncount(PageTableEntry entry)
    {
        if (entry.Shift != PageGeometry.PageShift)
        {
            return;
        }

        var pmd = entry.Address.AlignDown(PageGeometry.PmdSize).Value;
        var left = ptesUnderPmd[pmd] - 1;
        if (left == 0)
        {
            ptesUnderPmd.Remove(pmd);
        }
        else
        {
            ptesUnderPmd[pmd] = left;
        }
    }

    /// <summary>
    /// The leaves that can overlap a range shorter than the table, found as a page walk finds
    /// them (each PUD-, PMD- and page-aligned slot of the range looked up) instead of visiting
    /// every leaf; added to <paramref name="found"/> level by level (the caller sorts by address).
    /// </summary>
    private void Probe(UserAddress start, UserAddress end, List<PageTableEntry> found)
    {
        foreach (var shift in LeafShifts)
        {
            var size = 1UL << shift;
            for (var key = start.AlignDown(size).Value; key < end.Value; key += size)
            {
                if (leaves.TryGetValue(key, out var entry) && entry.Shift == shift)
                {
                    found.Add(entry);
                }
            }
        }

    }

    private static void SortByAddress(List<PageTableEntry> entries)
    {
        if (entries.Count > 1)
        {
            entries.Sort(static (a, b) => a.Address.Value.CompareTo(b.Address.Value));
        }
    }

    /// <summary>
    /// mm/memory-failure.c: dev_pagemap_mapping_shift(vma, address): 30 for a present devmap PUD,
    /// 21 for a PMD, 12 for a PTE, 0 when nothing devmap maps the address. With
    /// <paramref name="anyPresent"/> (6.15+, 38607c62b34b) any present leaf counts: a private COW
    /// copy or the zero page there gives its shift too.
    /// </summary>
    public int DevPagemapMappingShift(UserAddress address, bool anyPresent = false)
    {
        if (address.IsEfault)
        {
            return 0;
        }

        var entry = Lookup(address);
        return entry is not null && (anyPresent || entry.Kind == PteKind.Dax) ? entry.Shift : 0;
    }
}
