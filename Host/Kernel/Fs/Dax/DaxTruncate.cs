using DaxHolder.Abstractions;

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
            DaxDisassociateEntry(entry);
            mapping.Entries.Remove(entry);
        }

        return entries.Count;
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

            DaxDisassociateEntry(entry);
            mapping.Entries.Remove(entry);
        }

        entries.Clear();
        return result;
    }
}
