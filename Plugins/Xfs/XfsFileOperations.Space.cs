using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs;

/// <summary>fallocate (xfs_file_fallocate, xfs_bmap_util.c) and reflink (xfs_file_remap_range).</summary>
internal sealed partial class XfsFileOperations
{
    private const FallocateMode ModeMask = FallocateMode.PunchHole | FallocateMode.ZeroRange | FallocateMode.UnshareRange
        | FallocateMode.CollapseRange | FallocateMode.InsertRange;

    /// <summary>
    /// fallocate(2): preallocate unwritten extents over the holes (xfs_alloc_file_space), punch
    /// (xfs_free_file_space: unmap the pages, free the whole blocks), zero (punch, then
    /// preallocate) or unshare (copy the shared blocks). Punch must keep the size; collapse and
    /// insert are not modelled.
    /// </summary>
    public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length)
    {
        var file = RegularFile(inode);
        if (!file.IsOk)
        {
            return file.Error;
        }

        var kind = mode & ModeMask;
        if (length.Value == 0 || (mode & ~(ModeMask | FallocateMode.KeepSize)) != 0 || (kind & (kind - 1)) != 0)
        {
            return Errno.EINVAL;
        }

        if (kind is FallocateMode.CollapseRange or FallocateMode.InsertRange)
        {
            return Errno.EOPNOTSUPP;
        }

        if (kind == FallocateMode.PunchHole && (mode & FallocateMode.KeepSize) == 0)
        {
            return Errno.EOPNOTSUPP;
        }

        var ip = file.Value;
        // xfs_file_fallocate -> xfs_break_layouts(BREAK_UNMAP): the whole file is unmapped from
        // every process (and from 6.15 its DAX entries deleted) whatever range the mode changes.
        mount.Kernel.DaxBreakLayout(ip.Mapping);
        var start = position.Value;
        var end = position.Value + length.Value;
        var first = start >> XfsGeometry.BlockLog;
        var last = (end + XfsGeometry.BlockSize - 1) >> XfsGeometry.BlockLog;
        var result = kind switch
        {
            FallocateMode.PunchHole => FreeFileSpace(ip, start, end),
            FallocateMode.ZeroRange => ZeroFileSpace(ip, start, end, first, last),
            FallocateMode.UnshareRange => mount.Image.HasReflink ? mount.Reflink.Unshare(ip.Dinode, first, last - first) : Errno.EOPNOTSUPP,
            _ => AllocFileSpace(ip, first, last),
        };
        if (result == Errno.Ok && kind != FallocateMode.PunchHole && (mode & FallocateMode.KeepSize) == 0)
        {
            ip.Dinode.Size = Math.Max(ip.Dinode.Size, end);
        }

        return result;
    }

    /// <summary>ioctl(FICLONE): all of the source, from offset 0 to its end.</summary>
    public Errno Clone(InodeNumber source, InodeNumber destination) =>
        CloneRange(source, FileOffset.Zero, destination, FileOffset.Zero, ByteLength.Zero);

    /// <summary>
    /// ioctl(FICLONERANGE) -&gt; xfs_file_remap_range: -EOPNOTSUPP without reflink; -EINVAL for
    /// unaligned offsets, a length that is not whole blocks short of the source's end, an
    /// overlapping range of one file, or a DAX file with a non-DAX one ("Don't share DAX file data
    /// with non-DAX file"). A length of 0 means to the source's end. The destination's pages over
    /// the range are unmapped and dropped first (xfs_flush_unmap_range).
    /// </summary>
    public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length)
    {
        if (mount.IsShutdown)
        {
            return Errno.EIO;
        }

        if (!Image.HasReflink)
        {
            return Errno.EOPNOTSUPP;
        }

        var src = RegularFile(source);
        var dst = RegularFile(destination);
        if (!src.IsOk || !dst.IsOk)
        {
            return src.IsOk ? dst.Error : src.Error;
        }

        // xfs_reflink_remap_prep -> xfs_ilock2_io_mmap: with both files DAX, both layouts are
        // broken (xfs_mmaplock_two_inodes_and_break_dax_layout) before anything is checked.
        if (src.Value.Mapping.IsDax && dst.Value.Mapping.IsDax)
        {
            mount.Kernel.DaxBreakLayout(src.Value.Mapping);
            if (destination != source)
            {
                mount.Kernel.DaxBreakLayout(dst.Value.Mapping);
            }
        }

        var size = src.Value.Dinode.Size;
        if (sourcePosition.Value > size)
        {
            return Errno.EINVAL;
        }

        var len = length.Value == 0 ? size - sourcePosition.Value : Math.Min(length.Value, size - sourcePosition.Value);
        var toEof = sourcePosition.Value + len == size;
        const ulong mask = XfsGeometry.BlockSize - 1;
        if ((sourcePosition.Value & mask) != 0 || (destinationPosition.Value & mask) != 0 || (!toEof && (len & mask) != 0))
        {
            return Errno.EINVAL;
        }

        if (source == destination && sourcePosition.Value < destinationPosition.Value + len && destinationPosition.Value < sourcePosition.Value + len)
        {
            return Errno.EINVAL;
        }

        if (src.Value.Mapping.IsDax != dst.Value.Mapping.IsDax)
        {
            return Errno.EINVAL;
        }

        if (len == 0)
        {
            return Errno.Ok;
        }

        var blocks = (len + mask) >> XfsGeometry.BlockLog;
        var dstFirst = destinationPosition.Value >> XfsGeometry.BlockLog;
        mount.Kernel.TruncatePagecacheRange(dst.Value.Mapping, destinationPosition, new FileOffset(((dstFirst + blocks) << XfsGeometry.BlockLog) - 1));
        mount.Reflink.Remap(src.Value.Dinode, sourcePosition.Value >> XfsGeometry.BlockLog, dst.Value.Dinode, dstFirst, blocks);
        dst.Value.Dinode.Size = Math.Max(dst.Value.Dinode.Size, destinationPosition.Value + len);
        return Errno.Ok;
    }

    /// <summary>xfs_alloc_file_space: unwritten extents over every hole of [first, last).</summary>
    private Errno AllocFileSpace(XfsInode ip, ulong first, ulong last)
    {
        var pos = first;
        while (pos < last)
        {
            if (ip.Dinode.DataFork.Find(pos) is { } mapped)
            {
                pos = mapped.EndOff;
                continue;
            }

            var holeEnd = Math.Min(last, ip.Dinode.DataFork.NextMapped(pos) ?? last);
            var got = mount.Bmap.AllocateHole(ip.Dinode, pos, holeEnd - pos, unwritten: true);
            if (!got.IsOk)
            {
                return got.Error;
            }

            pos = Math.Min(holeEnd, Math.Max(pos + 1, got.Value.EndOff));
        }

        return Errno.Ok;
    }

    /// <summary>
    /// xfs_free_file_space: unmap the pages the range touches from every process and drop their
    /// DAX entries (xfs_flush_unmap_range), then free the blocks wholly inside it; partial blocks
    /// are zeroed in place.
    /// </summary>
    private Errno FreeFileSpace(XfsInode ip, ulong start, ulong end)
    {
        var pageStart = start & ~(XfsGeometry.BlockSize - 1);
        var pageEnd = ((end + XfsGeometry.BlockSize - 1) & ~(XfsGeometry.BlockSize - 1)) - 1;
        mount.Kernel.TruncatePagecacheRange(ip.Mapping, new FileOffset(pageStart), new FileOffset(pageEnd));
        var first = (start + XfsGeometry.BlockSize - 1) >> XfsGeometry.BlockLog;
        var last = end >> XfsGeometry.BlockLog;
        if (last > first)
        {
            mount.Bmap.UnmapRange(ip.Dinode, first, last - first);
        }

        return Errno.Ok;
    }

    /// <summary>xfs_falloc_zero_range: punch, then preallocate the whole blocks again (unwritten).</summary>
    private Errno ZeroFileSpace(XfsInode ip, ulong start, ulong end, ulong first, ulong last)
    {
        FreeFileSpace(ip, start, end);
        return AllocFileSpace(ip, first, last);
    }
}
