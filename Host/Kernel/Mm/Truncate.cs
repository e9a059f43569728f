using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm;

/// <summary>mm/truncate.c: what filesystems call to drop a range of a file's pages.</summary>
internal sealed class Truncate(KernelContext kernel, FsDax dax, Filemap filemap)
{
    /// <summary>
    /// mm/truncate.c: truncate_pagecache_range(inode, lstart, lend) with an inclusive end, as punch
    /// and truncate use it (after the filesystem broke layouts): unmap the range from every process
    /// (COW copies stay), then delete the DAX entries, disassociating their pages (fs/dax.c:
    /// dax_delete_mapping_entry()).
    /// </summary>
    public void TruncatePagecacheRange(AddressSpace mapping, FileOffset start, FileOffset endInclusive)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (endInclusive.Value < start.Value)
        {
            return;
        }

        var length = new ByteLength(endInclusive.Value - start.Value + 1);
        var removed = Unmap.UnmapMappingRange(mapping, start, length, evenCows: false);
        if (removed.Count > 0)
        {
            kernel.Trace.Add(new RangeUnmapped(mapping.Host, start, length, removed));
        }

        dax.DaxDeleteMappingEntries(mapping, new PageIndex(start.Value >> PageGeometry.PageShift), new PageIndex(endInclusive.Value >> PageGeometry.PageShift));
        filemap.DropRange(mapping, new PageIndex(start.Value >> PageGeometry.PageShift), new PageIndex(endInclusive.Value >> PageGeometry.PageShift));
    }

    /// <summary>
    /// mm/truncate.c: truncate_inode_pages_final(mapping), on eviction: every entry is deleted and
    /// its pages disassociated; the mapping is dead and leaves the superblock's in-core set.
    /// </summary>
    public void TruncateInodePagesFinal(AddressSpace mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (mapping.IMmap.Count > 0)
        {
            throw new InvalidOperationException($"{mapping} is evicted while {mapping.IMmap.Count} VMA(s) still map it");
        }

        dax.DaxDeleteMappingEntries(mapping, new PageIndex(0), new PageIndex(ulong.MaxValue));
        filemap.DropMapping(mapping);
        mapping.Evicted = true;
        mapping.SuperBlock?.RemoveMapping(mapping);
    }

    /// <summary>
    /// mm/truncate.c: invalidate_inode_pages2_range(mapping, start, end), inclusive: for a DAX
    /// mapping the clean entries go, dirty ones stay and the result is -EBUSY.
    /// </summary>
    public Errno InvalidateInodePages2Range(AddressSpace mapping, PageIndex start, PageIndex endInclusive)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        return dax.DaxInvalidateMappingEntries(mapping, start, endInclusive);
    }
}
