using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>fs/dax.c: breaking a file's DAX layout before its block map changes.</summary>
internal sealed partial class FsDax
{
    /// <summary>
    /// fs/dax.c: dax_layout_busy_page(mapping) as fs/xfs/xfs_file.c: xfs_break_dax_layouts() and
    /// fs/ext4/inode.c: ext4_break_layouts() call it before punch, zero, collapse, insert,
    /// truncate and (XFS) remap: every process mapping of the whole file is zapped
    /// (unmap_mapping_pages(mapping, 0, ..., 0): private COW copies stay), whatever range the
    /// operation then changes. No page is pinned by get_user_pages here, so none is busy and
    /// nothing waits. From 6.15 (dax_break_layout(), "fs/dax: always remove DAX page-cache
    /// entries when breaking layouts") the idle file's DAX entries are then deleted too
    /// (dax_delete_mapping_range()), so its pages lose their association.
    /// </summary>
    public void DaxBreakLayout(AddressSpace mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (!mapping.IsDax)
        {
            return;
        }

        var removed = Unmap.UnmapMappingPages(mapping, new PageIndex(0), new PageIndex(ulong.MaxValue), evenCows: false);
        var deleted = kernel.Has(KernelFeature.FolioRefcounts)
            ? DaxDeleteMappingEntries(mapping, new PageIndex(0), new PageIndex(ulong.MaxValue))
            : 0;
        if (removed.Count > 0 || deleted > 0)
        {
            kernel.Trace.Add(new LayoutBroken(mapping.Host, removed, deleted));
        }
    }
}
