using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// libxfs/xfs_bmap.c and xfs_bmap_util.c: changes to a file's data fork, each with the rmapbt
/// updates the kernel defers to the same transaction (xfs_rmap_map_extent / unmap_extent), the
/// refcount decrease that frees unshared blocks (xfs_refcount_decrease_extent), and the bmbt
/// blocks a fork needs once its extents no longer fit in the inode.
/// </summary>
internal sealed class XfsBmap(XfsImage image)
{
    /// <summary>Extents a 512-byte V5 inode holds in its literal area with no attr fork: (512 - 176) / 16.</summary>
    public const int InlineExtents = 21;

    /// <summary>Records in one bmbt leaf block: (4096 - 72) / 16.</summary>
    public const int BmbtLeafRecords = 251;

    /// <summary>
    /// xfs_bmapi_write over the hole holding file block <paramref name="off"/> (at most
    /// <paramref name="length"/> blocks wanted): allocates, written or unwritten
    /// (XFS_BMAPI_PREALLOC). An extent-size hint widens the range to hint-aligned file offsets
    /// (xfs_bmap_extsize_align, never over mapped blocks); it does not align the disk blocks
    /// (xfs_bmap_compute_alignments() turns it into args-&gt;prod/mod, a length granularity). Only a
    /// stripe unit (mkfs -d su=, m_dalign) asks for disk-aligned blocks, for an allocation at the
    /// file's end (xfs_bmap_btalloc_at_eof(), retried unaligned): without su, Debian's 6.1, 6.12
    /// and 7.2 placed a 2 MiB-hinted file at the first free block, 96 KiB into the device.
    /// Returns the extent now holding <paramref name="off"/>.
    /// </summary>
    public ErrnoOr<BmapExtent> AllocateHole(XfsDinode ip, ulong off, ulong length, bool unwritten)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var prevEnd = ip.DataFork.Extents.LastOrDefault(e => e.EndOff <= off).EndOff;
        var nextStart = ip.DataFork.NextMapped(off) ?? ulong.MaxValue;
        var from = off;
        var to = Math.Min(off + Math.Max(length, 1), nextStart);
        var hint = ip.ExtentSizeHint;
        if (hint > 1)
        {
            from = Math.Max(off / hint * hint, prevEnd);
            to = Math.Min((to + hint - 1) / hint * hint, nextStart);
        }

        var pos = from;
        var stripe = image.Features.StripeUnit >> XfsGeometry.BlockLog;
        var mappedEnd = ip.DataFork.Extents.Count == 0 ? 0 : ip.DataFork.Extents[^1].EndOff; // in file order
        while (pos < to)
        {
            var align = stripe > 1 && pos >= mappedEnd ? (uint)Math.Min(stripe, image.Geometry.AgBlocks) : 1u;
            var want = (uint)Math.Min(to - pos, image.Geometry.AgBlocks);
            if (XfsAlloc.Allocate(image, Target(ip, pos), want, align) is not { } got)
            {
                if (pos > off)
                {
                    break;
                }

                UpdateBmbt(ip);
                return ErrnoOr<BmapExtent>.Fail(Errno.ENOSPC, "xfs: no space left");
            }

            var extent = new BmapExtent(pos, got.Fsbno, got.Count, unwritten);
            ip.DataFork.Insert(extent);
            RmapMap(ip.Ino, extent);
            pos += got.Count;
        }

        UpdateBmbt(ip);
        return ip.DataFork.Find(off) is { } e ? ErrnoOr<BmapExtent>.Ok(e) : ErrnoOr<BmapExtent>.Fail(Errno.ENOSPC, "xfs: no space left");
    }

    /// <summary>Maps blocks the caller already owns (a reflink remap, the end of a CoW) over a hole.</summary>
    public void MapExtent(XfsDinode ip, BmapExtent extent)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ip.DataFork.Insert(extent);
        RmapMap(ip.Ino, extent);
        UpdateBmbt(ip);
    }

    /// <summary>
    /// xfs_bunmapi over file blocks [off, off+length): each mapped piece leaves the data fork and
    /// the rmapbt, and its blocks lose a reference; those no longer referenced are freed.
    /// </summary>
    public void UnmapRange(XfsDinode ip, ulong off, ulong length)
    {
        ArgumentNullException.ThrowIfNull(ip);
        foreach (var piece in ip.DataFork.Remove(off, SaturatingAdd(off, length)))
        {
            RmapUnmap(ip.Ino, piece);
            ReleaseBlocks(piece.StartBlock, piece.BlockCount);
        }

        UpdateBmbt(ip);
    }

    /// <summary>xfs_bmapi_convert_unwritten / XFS_BMAPI_CONVERT: file blocks [off, off+length) become written (or unwritten).</summary>
    public void Convert(XfsDinode ip, ulong off, ulong length, bool unwritten)
    {
        ArgumentNullException.ThrowIfNull(ip);
        foreach (var piece in ip.DataFork.Within(off, SaturatingAdd(off, length)).Where(p => p.Unwritten != unwritten).ToList())
        {
            ip.DataFork.Remove(piece.StartOff, piece.EndOff);
            RmapUnmap(ip.Ino, piece);
            var converted = piece with { Unwritten = unwritten };
            ip.DataFork.Insert(converted);
            RmapMap(ip.Ino, converted);
        }

        UpdateBmbt(ip);
    }

    /// <summary>
    /// xfs_bmap_extents_to_btree / xfs_bmap_btree_to_extents, simplified: a fork with more than
    /// 21 extents has one bmbt leaf per 251 extents (owner the inode, XFS_RMAP_BMBT_BLOCK),
    /// allocated near the inode; one that fits in the inode again gives them back.
    /// </summary>
    public void UpdateBmbt(XfsDinode ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var n = ip.DataFork.Extents.Count;
        var needed = n <= InlineExtents ? 0 : (n + BmbtLeafRecords - 1) / BmbtLeafRecords;
        while (ip.BmbtBlocks.Count < needed && XfsAlloc.Allocate(image, image.Geometry.InoToFsb(ip.Ino), 1, 1) is { } got)
        {
            image.AgOf(got.Fsbno).Rmap.Map(image.Geometry.FsbToAgbno(got.Fsbno), 1, ip.Ino, 0, RmapRecordFlags.BmbtBlock);
            ip.BmbtBlocks.Add(got.Fsbno);
        }

        while (ip.BmbtBlocks.Count > needed)
        {
            var fsbno = ip.BmbtBlocks[^1];
            ip.BmbtBlocks.RemoveAt(ip.BmbtBlocks.Count - 1);
            image.AgOf(fsbno).Release(image.Geometry.FsbToAgbno(fsbno), 1, ip.Ino, 0, RmapRecordFlags.BmbtBlock);
        }
    }

    /// <summary>
    /// xfs_bmap_del_extent_real's block release: with reflink, xfs_refcount_decrease_extent frees
    /// only the blocks whose count drops to zero; without it the blocks are simply freed.
    /// </summary>
    public void ReleaseBlocks(ulong fsbno, ulong count)
    {
        var ag = image.AgOf(fsbno);
        var agbno = image.Geometry.FsbToAgbno(fsbno);
        if (!image.HasReflink)
        {
            ag.FreeExtent(agbno, (uint)count);
            return;
        }

        foreach (var (start, length) in ag.Refcount.Adjust(agbno, (uint)count, -1))
        {
            ag.FreeExtent(start, length);
        }
    }

    /// <summary>xfs_rmap_map_extent for a data-fork extent.</summary>
    public void RmapMap(ulong owner, BmapExtent e) =>
        image.AgOf(e.StartBlock).Rmap.Map(image.Geometry.FsbToAgbno(e.StartBlock), (uint)e.BlockCount, owner, e.StartOff, e.Unwritten ? RmapRecordFlags.Unwritten : RmapRecordFlags.None);

    /// <summary>xfs_rmap_unmap_extent for a data-fork extent.</summary>
    public void RmapUnmap(ulong owner, BmapExtent e) =>
        image.AgOf(e.StartBlock).Rmap.Unmap(image.Geometry.FsbToAgbno(e.StartBlock), (uint)e.BlockCount, owner, e.StartOff, e.Unwritten ? RmapRecordFlags.Unwritten : RmapRecordFlags.None);

    /// <summary>
    /// xfs_bmap_adjacent: right after the previous extent if the file block follows it,
    /// otherwise near the inode.
    /// </summary>
    private ulong Target(XfsDinode ip, ulong off)
    {
        var prev = ip.DataFork.Extents.LastOrDefault(e => e.EndOff <= off);
        if (prev.BlockCount != 0)
        {
            var g = image.Geometry;
            var last = prev.StartBlock + prev.BlockCount - 1;
            var agbno = (ulong)g.FsbToAgbno(last) + 1 + (off - prev.EndOff);
            if (agbno < g.AgLength(g.FsbToAgno(last)))
            {
                return g.AgbToFsb(g.FsbToAgno(last), (uint)agbno);
            }
        }

        return image.Geometry.InoToFsb(ip.Ino);
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => ulong.MaxValue - a < b ? ulong.MaxValue : a + b;
}
