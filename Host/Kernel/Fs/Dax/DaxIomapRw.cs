using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Drivers.Dax;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>fs/dax.c: read(2) and write(2) on a DAX file.</summary>
internal sealed partial class FsDax
{
    /// <summary>
    /// fs/dax.c: dax_iomap_rw() / dax_iomap_iter(). Reads stop at i_size and see zeroes
    /// over holes and unwritten extents. A page in the pmem badblocks fails a read with -EIO; a
    /// write covering whole pages of it goes through dax_recovery_write, which clears the poison,
    /// and a partial-page write fails with -EIO. A short transfer returns what was done.
    /// </summary>
    public static ErrnoOr<ByteLength> DaxIomapRw(IInode inode, IIomapOps operations, FileOffset position, ByteLength length, bool write)
    {
        ArgumentNullException.ThrowIfNull(inode);
        ArgumentNullException.ThrowIfNull(operations);
        var end = position.Value + length.Value;
        if (!write)
        {
            end = Math.Min(end, inode.Size.Value);
        }

        var pos = position.Value;
        ulong done = 0;
        var request = IomapRequest.Dax | (write ? IomapRequest.Write : IomapRequest.Read);
        while (pos < end)
        {
            var begin = operations.IomapBegin(inode.Number, new FileOffset(pos), new ByteLength(end - pos), request);

            if (!begin.IsOk)
            {
                return done > 0 ? ErrnoOr<ByteLength>.Ok(new ByteLength(done)) : ErrnoOr<ByteLength>.Fail(begin.Error, begin.Message);
            }

            var map = begin.Value.Map;
            var chunkEnd = Math.Min(end, map.Offset.Value + map.Length.Value);
            if (chunkEnd <= pos)
            {
                return ErrnoOr<ByteLength>.Fail(Errno.EIO, $"iomap_begin returned an extent that does not cover {pos}");
            }

            var error = map.Type == IomapType.Mapped ? CopyPages(map, pos, chunkEnd, write) : (write ? Errno.EIO : Errno.Ok);
            var written = error == Errno.Ok && write ? new ByteLength(chunkEnd - pos) : ByteLength.Zero;
            operations.IomapEnd(inode.Number, new FileOffset(pos), new ByteLength(chunkEnd - pos), written, request, map);

            if (error != Errno.Ok)
            {
                return done > 0 ? ErrnoOr<ByteLength>.Ok(new ByteLength(done)) : ErrnoOr<ByteLength>.Fail(error);
            }

            done += chunkEnd - pos;
            pos = chunkEnd;
        }

        return ErrnoOr<ByteLength>.Ok(new ByteLength(done));
    }

    /// <summary>dax_direct_access per page, then copy; a bad page is read as -EIO or recovered by a whole-page write.</summary>
    private static Errno CopyPages(Iomap map, ulong start, ulong end, bool write)
    {
        var pmem = ((DaxDevice)map.DaxDevice!).Pmem;
        for (var page = start & ~(PageGeometry.PageSize - 1); page < end; page += PageGeometry.PageSize)
        {
            var from = Math.Max(page, start);
            var to = Math.Min(page + PageGeometry.PageSize, end);
            var offset = DeviceOffsetOf(map, new FileOffset(from));
            var access = pmem.DirectAccess(offset, new ByteLength(to - from), recoveryWrite: false);
            if (access == Errno.EHWPOISON && write && from == page && to == page + PageGeometry.PageSize)
            {
                // dax_recovery_write -> pmem_recovery_write: pmem_clear_poison, then the copy.
                pmem.ClearPoison(offset);
                continue;
            }

            if (access == Errno.EHWPOISON)
            {
                return Errno.EIO;
            }

            if (access != Errno.Ok)
            {
                return access;
            }
        }

        return Errno.Ok;
    }
}
