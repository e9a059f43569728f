using DaxHolder.Abstractions;
using DaxHolder.Plugins.Xfs.Format;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>
/// fs/xfs/xfs_reflink.c: sharing blocks between files (FICLONE, FICLONERANGE) with per-block
/// reference counts, and copy on write of shared blocks. A write to a shared block stages new
/// blocks in the CoW fork (owner OWN_COW in the rmapbt), preallocated over the CoW extent-size
/// hint (32 blocks, aligned) and converted only where written (DAX converts at once:
/// xfs_reflink_allocate_cow's convert_now); when the write is done they are remapped into the
/// data fork and the old blocks lose a reference (xfs_reflink_end_cow). Staging blocks not
/// written stay in the CoW fork until the inode is evicted.
/// </summary>
internal sealed class XfsReflink(XfsImage image, XfsBmap bmap)
{
    /// <summary>XFS_DEFAULT_COWEXTSZ_HINT: 32 blocks.</summary>
    public const ulong CowExtentSizeHint = 32;

    /// <summary>
    /// xfs_reflink_trim_around_shared: how many blocks from <paramref name="extent"/>'s start are
    /// all shared or all not shared, and which.
    /// </summary>
    public (ulong Length, bool Shared) SharedRun(BmapExtent extent)
    {
        if (!image.HasReflink)
        {
            return (extent.BlockCount, false);
        }

        var (length, shared) = image.AgOf(extent.StartBlock).Refcount.Run(image.Geometry.FsbToAgbno(extent.StartBlock), (uint)extent.BlockCount);
        return (length, shared);
    }

    /// <summary>
    /// xfs_reflink_remap_blocks: <paramref name="dst"/>'s file blocks [dstOff, +length) become
    /// what <paramref name="src"/> has at [srcOff, +length): the old mappings go, the source's
    /// extents (written or unwritten) gain a reference and are mapped, holes stay holes. Both
    /// inodes get XFS_DIFLAG2_REFLINK.
    /// </summary>
    public void Remap(XfsDinode src, ulong srcOff, XfsDinode dst, ulong dstOff, ulong length)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(dst);
        src.Reflink = true;
        dst.Reflink = true;
        var pieces = src.DataFork.Within(srcOff, srcOff + length);
        bmap.UnmapRange(dst, dstOff, length);
        foreach (var piece in pieces)
        {
            var ag = image.AgOf(piece.StartBlock);
            ag.Refcount.Adjust(image.Geometry.FsbToAgbno(piece.StartBlock), (uint)piece.BlockCount, +1);
            bmap.MapExtent(dst, piece with { StartOff = dstOff + (piece.StartOff - srcOff) });
        }
    }

    /// <summary>
    /// xfs_reflink_allocate_cow for a write at file block <paramref name="off"/> (at most
    /// <paramref name="length"/> blocks): null when the write needs no CoW (no staging extent
    /// there and the block is not shared); otherwise the written CoW extent to write into and
    /// the data-fork extent it replaces (null over a hole).
    /// </summary>
    public ErrnoOr<(BmapExtent Cow, BmapExtent? Source)?> AllocateCow(XfsDinode ip, ulong off, ulong length)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var data = ip.DataFork.Find(off);
        var end = off + Math.Max(length, 1);
        if (data is { } d)
        {
            end = Math.Min(end, d.EndOff);
        }
        else if (ip.DataFork.NextMapped(off) is { } next)
        {
            end = Math.Min(end, next);
        }

        if (ip.CowFork.Find(off) is null)
        {
            if (data is not { } shared)
            {
                return ErrnoOr<(BmapExtent, BmapExtent?)?>.Ok(null);
            }

            var (run, isShared) = SharedRun(shared.Slice(off, end));
            if (!isShared)
            {
                return ErrnoOr<(BmapExtent, BmapExtent?)?>.Ok(null);
            }

            end = off + run;
            var staged = Stage(ip, off, end, near: shared.StartBlock + (off - shared.StartOff));
            if (staged != Errno.Ok)
            {
                return ErrnoOr<(BmapExtent, BmapExtent?)?>.Fail(staged, "xfs: no space for copy on write");
            }
        }

        var cow = ip.CowFork.Find(off)!.Value;
        end = Math.Min(end, cow.EndOff);
        ConvertCow(ip, off, end);
        var written = ip.CowFork.Find(off)!.Value.Slice(off, end);
        var source = data?.Slice(off, end);
        return ErrnoOr<(BmapExtent, BmapExtent?)?>.Ok((written, source));
    }

    /// <summary>
    /// xfs_reflink_end_cow: the written CoW extents in [off, off+length) replace the data fork's
    /// mappings there; the staging blocks become the file's, the old ones lose a reference.
    /// </summary>
    public void EndCow(XfsDinode ip, ulong off, ulong length)
    {
        ArgumentNullException.ThrowIfNull(ip);
        foreach (var piece in ip.CowFork.Within(off, off + length).Where(p => !p.Unwritten).ToList())
        {
            ip.CowFork.Remove(piece.StartOff, piece.EndOff);
            image.AgOf(piece.StartBlock).Rmap.Unmap(image.Geometry.FsbToAgbno(piece.StartBlock), (uint)piece.BlockCount, XfsRmapOwner.Cow, 0, 0);
            bmap.UnmapRange(ip, piece.StartOff, piece.BlockCount);
            bmap.MapExtent(ip, piece);
        }
    }

    /// <summary>xfs_reflink_cancel_cow_range: the staging extents in [off, off+length) are freed.</summary>
    public void CancelCow(XfsDinode ip, ulong off, ulong length)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var to = ulong.MaxValue - off < length ? ulong.MaxValue : off + length;
        foreach (var piece in ip.CowFork.Remove(off, to))
        {
            image.AgOf(piece.StartBlock).Release(image.Geometry.FsbToAgbno(piece.StartBlock), (uint)piece.BlockCount, XfsRmapOwner.Cow);
        }
    }

    /// <summary>
    /// xfs_reflink_unshare: every shared block of [off, off+length) is copied to a block of its own.
    /// </summary>
    public Errno Unshare(XfsDinode ip, ulong off, ulong length)
    {
        ArgumentNullException.ThrowIfNull(ip);
        foreach (var extent in ip.DataFork.Within(off, off + length).ToList())
        {
            var pos = extent.StartOff;
            while (pos < extent.EndOff)
            {
                var current = ip.DataFork.Find(pos)!.Value.Slice(pos, extent.EndOff);
                var (run, shared) = SharedRun(current);
                if (shared)
                {
                    var cow = AllocateCow(ip, pos, run);
                    if (!cow.IsOk)
                    {
                        return cow.Error;
                    }

                    EndCow(ip, pos, cow.Value!.Value.Cow.BlockCount);
                    run = cow.Value!.Value.Cow.BlockCount;
                }

                pos += run;
            }
        }

        return Errno.Ok;
    }

    /// <summary>
    /// Preallocates staging blocks in the CoW fork over [off, end) widened to the CoW
    /// extent-size hint (never over existing staging extents), unwritten, owned by OWN_COW.
    /// </summary>
    private Errno Stage(XfsDinode ip, ulong off, ulong end, ulong near)
    {
        var prevEnd = ip.CowFork.Extents.LastOrDefault(e => e.EndOff <= off).EndOff;
        var nextStart = ip.CowFork.NextMapped(off) ?? ulong.MaxValue;
        var from = Math.Max(off / CowExtentSizeHint * CowExtentSizeHint, prevEnd);
        var to = Math.Min((end + CowExtentSizeHint - 1) / CowExtentSizeHint * CowExtentSizeHint, nextStart);
        var pos = from;
        while (pos < to)
        {
            var want = (uint)Math.Min(to - pos, image.Geometry.AgBlocks);
            if (XfsAlloc.Allocate(image, near, want, 1) is not { } got)
            {
                return pos >= end ? Errno.Ok : Errno.ENOSPC;
            }

            image.AgOf(got.Fsbno).Rmap.Map(image.Geometry.FsbToAgbno(got.Fsbno), got.Count, XfsRmapOwner.Cow, 0, 0);
            ip.CowFork.Insert(new BmapExtent(pos, got.Fsbno, got.Count, Unwritten: true));
            near = got.Fsbno + got.Count;
            pos += got.Count;
        }

        return Errno.Ok;
    }

    /// <summary>convert_now: the staging blocks about to be written become real (written) CoW extents.</summary>
    private static void ConvertCow(XfsDinode ip, ulong off, ulong end)
    {
        foreach (var piece in ip.CowFork.Within(off, end).Where(p => p.Unwritten).ToList())
        {
            ip.CowFork.Remove(piece.StartOff, piece.EndOff);
            ip.CowFork.Insert(piece with { Unwritten = false });
        }
    }
}
