using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// libxfs/xfs_alloc.c: xfs_alloc_vextent, as a deterministic first-fit allocator. The kernel
/// picks the free extent nearest its target (bnobt/cntbt cursors both ways); the model takes the
/// first free extent at or after the target in its AG, then from the AG's start, then the other
/// AGs in order. An alignment (the stripe unit, mkfs -d su=) asks for a start aligned on the disk,
/// so that su=2m gives 2 MiB-aligned pfns; it is tried in every AG before giving it up, as
/// xfs_bmap_btalloc retries unaligned. When no extent is long enough, the first longest one is
/// taken and the caller asks again for the rest. Busy extents (freed, not yet checkpointed) are
/// never handed out; when nothing else fits, the log is forced and the allocation tried again.
/// </summary>
internal static class XfsAlloc
{
    /// <summary>
    /// Allocates up to <paramref name="length"/> blocks near <paramref name="target"/> (an fsbno)
    /// and returns (fsbno, blocks), or null when the filesystem is full. The blocks are taken
    /// from the free space; the caller records their owner in the rmapbt.
    /// </summary>
    public static (ulong Fsbno, uint Count)? Allocate(XfsImage image, ulong target, uint length, uint alignment)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (AllocateWhole(image, target, length, alignment) is { } whole)
        {
            return whole;
        }

        // Nothing fits outside the busy extents: xfs_extent_busy_flush() forces the log, after which
        // every busy extent is clear, and the allocation is tried again.
        if (image.Ags.Any(ag => ag.Busy.Any))
        {
            ForceLog(image);
            if (AllocateWhole(image, target, length, alignment) is { } afterFlush)
            {
                return afterFlush;
            }
        }

        return AllocateLongest(image, target, length);
    }

    /// <summary>
    /// xfs_log_force(): the log checkpoint commits, so every busy extent of every AG is clear
    /// (xlog_cil_committed() -&gt; xfs_extent_busy_clear()). Sync, fsync, freeze and unmount do it too.
    /// </summary>
    public static void ForceLog(XfsImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        foreach (var ag in image.Ags)
        {
            ag.Busy.Clear();
        }
    }

    private static (ulong Fsbno, uint Count)? AllocateWhole(XfsImage image, ulong target, uint length, uint alignment)
    {
        var g = image.Geometry;
        var targetAg = Math.Min(g.FsbToAgno(target), g.AgCount - 1);
        var order = Enumerable.Range(0, (int)g.AgCount).Select(i => (uint)((targetAg + i) % g.AgCount)).ToList();
        var passes = alignment > 1 ? new[] { alignment, 1u } : [1u];
        foreach (var align in passes)
        {
            foreach (var agno in order)
            {
                var ag = image.Ags[(int)agno];
                var from = agno == targetAg ? Math.Min(g.FsbToAgbno(target), ag.Length) : 0;
                if (FirstFit(image, ag, from, length, align) is { } start)
                {
                    ag.FreeSpace.Take(start, length);
                    return (g.AgbToFsb(agno, start), length);
                }
            }
        }

        return null;
    }

    /// <summary>When no free extent is long enough: the first longest one that is not busy, and the caller asks again for the rest.</summary>
    private static (ulong Fsbno, uint Count)? AllocateLongest(XfsImage image, ulong target, uint length)
    {
        var g = image.Geometry;
        var targetAg = Math.Min(g.FsbToAgno(target), g.AgCount - 1);
        var order = Enumerable.Range(0, (int)g.AgCount).Select(i => (uint)((targetAg + i) % g.AgCount)).ToList();
        foreach (var agno in order)
        {
            var ag = image.Ags[(int)agno];
            var longest = ag.Allocatable.OrderByDescending(e => e.Length).ThenBy(e => e.Start).FirstOrDefault();
            if (longest.Length > 0)
            {
                var count = Math.Min(longest.Length, length);
                ag.FreeSpace.Take(longest.Start, count);
                return (g.AgbToFsb(agno, longest.Start), count);
            }
        }

        return null;
    }

    /// <summary>The first start at or after <paramref name="from"/> (then from 0) where <paramref name="length"/> aligned free blocks fit.</summary>
    private static uint? FirstFit(XfsImage image, AllocationGroup ag, uint from, uint length, uint align)
    {
        var extents = ag.Allocatable.ToList();
        foreach (var wrapped in new[] { false, true })
        {
            foreach (var (s, l) in extents)
            {
                var end = (ulong)s + l;
                if (!wrapped && end <= from)
                {
                    continue;
                }

                if (wrapped && s >= from)
                {
                    break;
                }

                var start = wrapped ? s : Math.Max(s, from);
                start = AlignUp(image, ag, start, align);
                if ((ulong)start + length <= end)
                {
                    return start;
                }
            }
        }

        return null;
    }

    /// <summary>The first agbno at or after <paramref name="agbno"/> whose disk block is a multiple of <paramref name="align"/>.</summary>
    private static uint AlignUp(XfsImage image, AllocationGroup ag, uint agbno, uint align)
    {
        if (align <= 1)
        {
            return agbno;
        }

        var disk = image.DeviceStartBlock + ((ulong)ag.Agno * image.Geometry.AgBlocks) + agbno;
        var aligned = (disk + align - 1) / align * align;
        return (uint)Math.Min(uint.MaxValue, agbno + (aligned - disk));
    }
}
