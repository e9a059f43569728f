using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>fs/dax.c: the flag bits of a DAX value entry ((pfn &lt;&lt; 4) | flags).</summary>
[Flags]
internal enum DaxEntryFlags
{
    None = 0,
    Locked = 1,
    Pmd = 2,
    ZeroPage = 4,
    Empty = 8,
}

/// <summary>One DAX entry of a mapping's xarray: a pfn (or none for zero/empty), its flags and the dirty mark.</summary>
internal sealed class DaxEntry
{
    internal DaxEntry(PageIndex index, Pfn? pfn, DaxEntryFlags flags)
    {
        Index = index;
        Pfn = pfn;
        Flags = flags;
    }

    /// <summary>The first index the entry covers (PMD-aligned for PMD entries).</summary>
    public PageIndex Index { get; }

    /// <summary>dax_to_pfn(entry); null for zero and empty entries.</summary>
    public Pfn? Pfn { get; }

    public DaxEntryFlags Flags { get; set; }

    /// <summary>PAGECACHE_TAG_DIRTY.</summary>
    public bool Dirty { get; set; }

    public bool IsPmd => (Flags & DaxEntryFlags.Pmd) != 0;

    public bool IsZero => (Flags & DaxEntryFlags.ZeroPage) != 0;

    public bool IsEmpty => (Flags & DaxEntryFlags.Empty) != 0;

    public bool IsLocked => (Flags & DaxEntryFlags.Locked) != 0;

    /// <summary>A real pfn entry (not zero, not empty).</summary>
    public bool HasPfn => Pfn is not null && !IsZero && !IsEmpty;

    public ulong Pages => IsPmd ? PageGeometry.PmdSize >> PageGeometry.PageShift : 1;

    /// <summary>The pfn backing <paramref name="index"/> inside this entry.</summary>
    public Pfn PfnAt(PageIndex index) => Pfn!.Value.Add(index.Value - Index.Value);

    /// <summary>The entry as it is now, as a value: a decision keeps this, not the live entry.</summary>
    public DaxEntryState State => new(DaxEntryLookup.Found, Pfn, Flags, Dirty);

    public override string ToString() => State.ToString();
}

/// <summary>What a lookup of one index of a mapping found.</summary>
internal enum DaxEntryLookup
{
    /// <summary>No entry at the index.</summary>
    None,

    /// <summary>The mapping is not a DAX mapping (dax_lock_mapping_entry: -EBUSY).</summary>
    NotDax,

    /// <summary>An entry: see its pfn and flags.</summary>
    Found,
}

/// <summary>
/// A DAX entry's pfn, flags and dirty mark at one moment (or what stood for no entry), kept by
/// value so that a decision costs no string until a report renders it.
/// </summary>
internal readonly record struct DaxEntryState(DaxEntryLookup Lookup, Pfn? Pfn, DaxEntryFlags Flags, bool Dirty)
{
    public static DaxEntryState NoEntry => new(DaxEntryLookup.None, null, DaxEntryFlags.None, false);

    public static DaxEntryState NotDaxMapping => new(DaxEntryLookup.NotDax, null, DaxEntryFlags.None, false);

    public override string ToString()
    {
        if (Lookup != DaxEntryLookup.Found)
        {
            return Lookup == DaxEntryLookup.None ? "no entry" : "not a DAX mapping: -EBUSY";
        }

        var kind = (Flags & DaxEntryFlags.ZeroPage) != 0 ? "zero page" : (Flags & DaxEntryFlags.Empty) != 0 ? "empty" : $"pfn {Pfn}";
        return ((Flags & DaxEntryFlags.Pmd) != 0 ? "PMD " : "") + kind + ((Flags & DaxEntryFlags.Locked) != 0 ? " (locked)" : "") + (Dirty ? " dirty" : "");
    }
}

/// <summary>
/// A mapping's i_pages for DAX: entries by first index, in a hash (a lookup, store or erase of
/// one index costs O(1)); a PMD entry covers 512 indexes. Walks over a range longer than the
/// entries sort what they find by index.
/// </summary>
internal sealed class DaxEntries
{
    private const ulong PmdPages = PageGeometry.PmdSize >> PageGeometry.PageShift;
    private readonly Dictionary<ulong, DaxEntry> entries = [];

    /// <summary>PTE-sized entries in each 2 MiB index range (keyed by its first index), so the PMD fault's check is O(1).</summary>
    private readonly Dictionary<ulong, int> ptesInPmd = [];

    public int Count => entries.Count;

    /// <summary>Every entry, in index order.</summary>
    public IEnumerable<DaxEntry> All
    {
        get
        {
            var all = new List<DaxEntry>(entries.Values);
            SortByIndex(all, 0);
            return all;
        }
    }

    /// <summary>The entry covering <paramref name="index"/>: its own, or the PMD entry it lies in.</summary>
    public DaxEntry? Lookup(PageIndex index)
    {
        if (entries.TryGetValue(index.Value, out var entry))
        {
            return entry;
        }

        var pmdIndex = index.Value & ~(PmdPages - 1);
        return entries.TryGetValue(pmdIndex, out var pmd) && pmd.IsPmd ? pmd : null;
    }

    /// <summary>Whether any PTE-sized entry lies in the 2 MiB range starting at <paramref name="pmdIndex"/>.</summary>
    public bool AnyPteEntryIn(PageIndex pmdIndex) => ptesInPmd.ContainsKey(pmdIndex.Value & ~(PmdPages - 1));

    public void Store(DaxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entries.TryGetValue(entry.Index.Value, out var old))
        {
            Tally(old, -1);
        }

        entries[entry.Index.Value] = entry;
        Tally(entry, +1);
    }

    public void Remove(DaxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entries.Remove(entry.Index.Value, out var old))
        {
            Tally(old, -1);
        }
    }

    private void Tally(DaxEntry entry, int delta)
    {
        if (entry.IsPmd)
        {
            return;
        }

        var pmd = entry.Index.Value & ~(PmdPages - 1);
        var n = ptesInPmd.GetValueOrDefault(pmd) + delta;
        if (n == 0)
        {
            ptesInPmd.Remove(pmd);
        }
        else
        {
            ptesInPmd[pmd] = n;
        }
    }

    /// <summary>Entries overlapping [first, last], in index order.</summary>
    public List<DaxEntry> InRange(PageIndex first, PageIndex last)
    {
        var found = new List<DaxEntry>();
        InRange(first, last, found);
        return found;
    }

    /// <summary>Entries overlapping [first, last], in index order, added to <paramref name="found"/>.</summary>
    /// <remarks>
    /// A range shorter than the entry count is looked up index by index (as the xarray walk
    /// does), with the PMD entry that may cover its first index; a longer one scans the entries.
    /// </remarks>
    public void InRange(PageIndex first, PageIndex last, List<DaxEntry> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        if (entries.Count == 0)
        {
            return;
        }

        if (last < first || last.Value - first.Value >= (ulong)entries.Count)
        {
            var before = found.Count;
            foreach (var entry in entries.Values)
            {
                if (entry.Index <= last && entry.Index.Value + entry.Pages - 1 >= first.Value)
                {
                    found.Add(entry);
                }
            }

            SortByIndex(found, before);
            return;
        }

        var pmd = first.Value & ~(PmdPages - 1);
        if (pmd < first.Value && entries.TryGetValue(pmd, out var head) && head.Index.Value + head.Pages - 1 >= first.Value)
        {
            found.Add(head);
        }

        for (var i = first.Value; i <= last.Value; i++)
        {
            if (entries.TryGetValue(i, out var entry))
            {
                found.Add(entry);
            }
        }
    }

    private static readonly Comparer<DaxEntry> ByIndex = Comparer<DaxEntry>.Create(static (a, b) => a.Index.Value.CompareTo(b.Index.Value));

    private static void SortByIndex(List<DaxEntry> list, int from)
    {
        if (list.Count - from > 1)
        {
            list.Sort(from, list.Count - from, ByIndex);
        }
    }
}
