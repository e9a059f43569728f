using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Format;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>
/// fs/xfs/xfs_iomap.c: where a file range lives, for fs/dax.c's faults and I/O.
/// Reads (xfs_read_iomap_begin) report holes, unwritten and written extents; for DAX and
/// reports a mapped extent is trimmed at the boundary between shared and unshared blocks and
/// flagged IOMAP_F_SHARED where shared (xfs_reflink_trim_around_shared). Writes
/// (xfs_direct_write_iomap_begin with IOMAP_DAX) allocate holes (IOMAP_F_NEW), convert unwritten
/// extents before the copy (IOMAP_F_NEW), and copy shared blocks on write: the iomap is the CoW
/// staging extent (IOMAP_F_SHARED) and the srcmap the old blocks. iomap_end of a write on a
/// reflink inode remaps the CoW extents written, or cancels them when nothing was written
/// (xfs_dax_write_iomap_end).
/// </summary>
internal sealed class XfsIomap(XfsMount mount) : IIomapOps
{
    public ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request)
    {
        if (mount.IsShutdown)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO, "xfs: the filesystem is shut down");
        }

        if (!mount.Image.Inodes.TryGetValue(inode.Value, out var ip) || ip.IsDirectory)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EINVAL, $"xfs: no regular file with inode {inode}");
        }

        var off = position.Value >> XfsGeometry.BlockLog;
        var end = Math.Max(off + 1, (position.Value + length.Value + XfsGeometry.BlockSize - 1) >> XfsGeometry.BlockLog);
        return (request & IomapRequest.Write) != 0 && (request & IomapRequest.Zero) == 0
            ? WriteBegin(ip, off, end)
            : ErrnoOr<IomapResult>.Ok(new IomapResult(ReadMap(ip, off, end, request)));
    }

    public Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map)
    {
        if ((request & IomapRequest.Write) == 0 || !mount.Image.HasReflink || !mount.Image.Inodes.TryGetValue(inode.Value, out var ip) || !ip.Reflink)
        {
            return Errno.Ok;
        }

        var off = position.Value >> XfsGeometry.BlockLog;
        if (written.Value == 0)
        {
            var blocks = ((position.Value + length.Value + XfsGeometry.BlockSize - 1) >> XfsGeometry.BlockLog) - off;
            mount.Reflink.CancelCow(ip, off, blocks);
            return Errno.Ok;
        }

        mount.Reflink.EndCow(ip, off, ((position.Value + written.Value + XfsGeometry.BlockSize - 1) >> XfsGeometry.BlockLog) - off);
        return Errno.Ok;
    }

    private Iomap ReadMap(XfsDinode ip, ulong off, ulong end, IomapRequest request)
    {
        if (ip.DataFork.Find(off) is not { } extent)
        {
            var holeEnd = Math.Min(end, ip.DataFork.NextMapped(off) ?? end);
            return Hole(off, holeEnd);
        }

        var piece = extent.Slice(off, end);
        var flags = IomapMappingFlags.None;
        if (mount.Image.HasReflink && (request & (IomapRequest.Report | IomapRequest.Dax)) != 0)
        {
            var (run, shared) = mount.Reflink.SharedRun(piece);
            piece = piece.Slice(piece.StartOff, piece.StartOff + run);
            flags = shared ? IomapMappingFlags.Shared : IomapMappingFlags.None;
        }

        return Map(piece, flags);
    }

    private ErrnoOr<IomapResult> WriteBegin(XfsDinode ip, ulong off, ulong end)
    {
        if (mount.Image.HasReflink && ip.Reflink)
        {
            var cow = mount.Reflink.AllocateCow(ip, off, end - off);
            if (!cow.IsOk)
            {
                return ErrnoOr<IomapResult>.Fail(cow.Error, cow.Message);
            }

            if (cow.Value is { } c)
            {
                var source = c.Source is { } s ? Map(s, IomapMappingFlags.None) : null;
                return ErrnoOr<IomapResult>.Ok(new IomapResult(Map(c.Cow, IomapMappingFlags.Shared), source));
            }

            // xfs_find_trim_cow_extent: stop before the next staging extent, and (below) at the
            // first shared block.
            end = Math.Min(end, ip.CowFork.NextMapped(off) ?? end);
            if (ip.DataFork.Find(off) is { } unshared)
            {
                var (run, _) = mount.Reflink.SharedRun(unshared.Slice(off, end));
                end = off + run;
            }
        }

        if (ip.DataFork.Find(off) is not { } extent)
        {
            var allocated = mount.Bmap.AllocateHole(ip, off, end - off, unwritten: false);
            if (!allocated.IsOk)
            {
                return ErrnoOr<IomapResult>.Fail(allocated.Error, allocated.Message);
            }

            return ErrnoOr<IomapResult>.Ok(new IomapResult(Map(allocated.Value.Slice(off, end), IomapMappingFlags.New)));
        }

        var piece = extent.Slice(off, end);
        if (piece.Unwritten)
        {
            mount.Bmap.Convert(ip, piece.StartOff, piece.BlockCount, unwritten: false);
            return ErrnoOr<IomapResult>.Ok(new IomapResult(Map(piece with { Unwritten = false }, IomapMappingFlags.New)));
        }

        return ErrnoOr<IomapResult>.Ok(new IomapResult(Map(piece, IomapMappingFlags.None)));
    }

    /// <summary>xfs_bmbt_to_iomap: the extent's disk address includes the partition's start (bt_dax_part_off).</summary>
    private Iomap Map(BmapExtent e, IomapMappingFlags flags) =>
        new(new FileOffset(e.StartOff << XfsGeometry.BlockLog), new ByteLength(e.BlockCount << XfsGeometry.BlockLog),
            e.Unwritten ? IomapType.Unwritten : IomapType.Mapped, flags,
            mount.Image.Device.Start.Add(mount.Image.Geometry.FsbToByteOffset(e.StartBlock)), mount.DataDax);

    private Iomap Hole(ulong off, ulong end) =>
        new(new FileOffset(off << XfsGeometry.BlockLog), new ByteLength((end - off) << XfsGeometry.BlockLog), IomapType.Hole, IomapMappingFlags.None, null, mount.DataDax);
}
