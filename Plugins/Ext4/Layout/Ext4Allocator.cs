using DaxHolder.Abstractions;

namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// A deterministic stand-in for mballoc (fs/ext4/mballoc.c). It keeps what decides where data
/// lands: the goal (ext4_inode_to_goal_block, ext4_ext_find_goal), natural 2 MiB alignment for
/// requests of 2 MiB or more (mballoc's buddy search finds aligned free chunks for large
/// power-of-two requests, which is what gives DAX its PMD-mappable extents), blocks freed in the
/// running transaction staying busy, and a journal commit before giving up with -ENOSPC
/// (ext4_should_retry_alloc), and a RAID stripe (mke2fs -E stride, stripe_width): a request that is
/// a whole number of stripes starts on a stripe boundary (ext4_mb_scan_aligned()).
/// Preallocation, request normalisation and the allocation criteria passes are not modelled (README).
/// </summary>
internal sealed class Ext4Allocator(Ext4Geometry geometry, BlockBitmap bitmap)
{
    /// <summary>Blocks in a PMD (2 MiB).</summary>
    public const ulong PmdBlocks = PageGeometry.PmdSize / Ext4Geometry.BlockSize;

    /// <summary>EXT4_FLEX_SIZE_DIR_ALLOC_SCHEME.</summary>
    private const uint FlexSizeDirAllocScheme = 4;

    /// <summary>
    /// fs/ext4/extents.c: ext4_inode_to_goal_block: the first block of the inode's group; with
    /// flex groups of 4 or more, regular files start in the flex group's second group, leaving the
    /// first to directories. DELALLOC is on by default, so no per-pid colour is added.
    /// </summary>
    public ulong InodeGoal(Ext4InodeData inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        var group = inode.GroupOf(geometry.InodesPerGroup);
        if (geometry.Options.FlexBg && geometry.Options.FlexBgSize >= FlexSizeDirAllocScheme)
        {
            group &= ~(geometry.Options.FlexBgSize - 1);
            if (!inode.IsDirectory)
            {
                group++;
            }
        }

        var goal = geometry.FirstBlockOf(group);
        return goal < geometry.BlocksCount ? goal : 0;
    }

    /// <summary>Up to <paramref name="wanted"/> contiguous data blocks near <paramref name="goal"/>, or null when the filesystem is full.</summary>
    public (ulong Start, ulong Count)? AllocateData(ulong goal, ulong wanted)
    {
        var found = TryData(goal, wanted);
        if (found is null && bitmap.HasBusy)
        {
            bitmap.Commit();
            found = TryData(goal, wanted);
        }

        if (found is { } run)
        {
            bitmap.Take(run.Start, run.Count);
        }

        return found;
    }

    /// <summary>One metadata block (an extent tree node) near <paramref name="goal"/>, or null.</summary>
    public ulong? AllocateMeta(ulong goal) => AllocateData(goal, 1)?.Start;

    /// <summary>ext4_free_blocks: the blocks stay busy until the journal commits.</summary>
    public void Free(ulong start, ulong count) => bitmap.Free(start, count);

    private (ulong Start, ulong Count)? TryData(ulong goal, ulong wanted)
    {
        goal = goal < geometry.BlocksCount ? goal : 0;
        var stripe = (ulong)geometry.Options.Stripe;
        if (stripe != 0 && wanted % stripe == 0 && wanted < PmdBlocks
            && (FindAligned(goal, geometry.BlocksCount, stripe) ?? FindAligned(0, goal, stripe)) is { } striped)
        {
            return (striped, bitmap.RunLength(striped, wanted));
        }

        if (wanted >= PmdBlocks && (FindAligned(goal, geometry.BlocksCount) ?? FindAligned(0, goal)) is { } aligned)
        {
            return (aligned, bitmap.RunLength(aligned, wanted));
        }

        if ((bitmap.FindRun(goal, geometry.BlocksCount, 1) ?? bitmap.FindRun(0, goal, 1)) is { } first)
        {
            return (first, bitmap.RunLength(first, wanted));
        }

        return null;
    }

    /// <summary>The first 2 MiB-aligned block in [from, limit) that starts 2 MiB of free blocks.</summary>
    private ulong? FindAligned(ulong from, ulong limit) => FindAligned(from, limit, PmdBlocks);

    /// <summary>The first block in [from, limit) on a multiple of <paramref name="unit"/> that starts <paramref name="unit"/> free blocks.</summary>
    private ulong? FindAligned(ulong from, ulong limit, ulong unit) => bitmap.FindAlignedRun(from, limit, unit, unit);
}
