using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs;

/// <summary>
/// fs/xfs/xfs_file.c, xfs_iops.c and xfs_inode.c: the file operations scenarios drive. After a
/// shutdown each returns -EIO (xfs_is_shutdown()). Reads and writes of a DAX file go through
/// dax_iomap_rw with this filesystem's iomap; those of a non-DAX file only change the media
/// (the page cache is not modelled). Create makes missing parent directories, as mkdir -p would.
/// Fallocate's collapse and insert ranges are not modelled (-EOPNOTSUPP).
/// </summary>
internal sealed partial class XfsFileOperations(XfsMount mount) : IFileOperations
{
    private XfsImage Image => mount.Image;

    /// <summary>Name lookup. It does not bring the inode into core (see XfsInodeCache).</summary>
    public ErrnoOr<InodeNumber> Lookup(string path)
    {
        if (mount.IsShutdown)
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.EIO, "xfs: the filesystem is shut down");
        }

        var found = Resolve(path);
        return found.IsOk ? ErrnoOr<InodeNumber>.Ok(new InodeNumber(found.Value.Ino)) : ErrnoOr<InodeNumber>.Fail(found.Error, found.Message);
    }

    /// <summary>
    /// xfs_create (and xfs_mkdir for missing parents): a new inode in the parent's AG (a
    /// directory in the rotor's), with its extent-size hint and FS_XFLAG_DAX; in core, unreferenced.
    /// </summary>
    public ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (mount.IsShutdown)
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.EIO, "xfs: the filesystem is shut down");
        }

        var names = Split(path);
        if (!names.IsOk || names.Value.Length == 0)
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.EINVAL, names.Message ?? $"xfs: cannot create '{path}'");
        }

        ulong hint = 0;
        if (options.ExtentSizeHint is { } bytes)
        {
            if (bytes.Value % XfsGeometry.BlockSize != 0)
            {
                return ErrnoOr<InodeNumber>.Fail(Errno.EINVAL, $"xfs: extent size hint {bytes} is not a multiple of the block size");
            }

            hint = bytes.Value >> XfsGeometry.BlockLog;
        }

        var parent = Image.Inodes[Image.RootIno];
        for (var i = 0; i < names.Value.Length - 1; i++)
        {
            var dir = Child(parent, names.Value[i], directory: true);
            if (!dir.IsOk)
            {
                return ErrnoOr<InodeNumber>.Fail(dir.Error, dir.Message);
            }

            parent = dir.Value;
        }

        if (parent.Entries.ContainsKey(names.Value[^1]))
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.EEXIST, $"xfs: '{path}' exists");
        }

        var made = NewInode(parent, names.Value[^1], directory: false);
        if (!made.IsOk)
        {
            return ErrnoOr<InodeNumber>.Fail(made.Error, made.Message);
        }

        made.Value.ExtentSizeHint = hint;
        made.Value.DaxFlag = options.Dax ?? parent.DaxFlag;
        var cached = mount.Cache.Grab(made.Value.Ino);
        return cached.IsOk ? ErrnoOr<InodeNumber>.Ok(new InodeNumber(made.Value.Ino)) : ErrnoOr<InodeNumber>.Fail(cached.Error, cached.Message);
    }

    /// <summary>xfs_file_read_iter: DAX through dax_iomap_rw; otherwise the bytes up to i_size.</summary>
    public ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length)
    {
        var file = RegularFile(inode);
        if (!file.IsOk)
        {
            return ErrnoOr<ByteLength>.Fail(file.Error, file.Message);
        }

        var ip = file.Value;
        if (ip.Mapping.IsDax)
        {
            return Held(ip, () => mount.Kernel.DaxIomapRw(ip, position, length, write: false, mount.IomapOperations));
        }

        var size = ip.Dinode.Size;
        return ErrnoOr<ByteLength>.Ok(new ByteLength(position.Value >= size ? 0 : Math.Min(length.Value, size - position.Value)));
    }

    /// <summary>
    /// xfs_file_write_iter: allocate, convert or copy on write as iomap_begin decides, copy
    /// through dax_iomap_rw for a DAX file, and extend i_size.
    /// </summary>
    public ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length)
    {
        var file = RegularFile(inode);
        if (!file.IsOk)
        {
            return ErrnoOr<ByteLength>.Fail(file.Error, file.Message);
        }

        var ip = file.Value;
        if (length.Value == 0)
        {
            return ErrnoOr<ByteLength>.Ok(ByteLength.Zero);
        }

        var done = ip.Mapping.IsDax
            ? Held(ip, () => mount.Kernel.DaxIomapRw(ip, position, length, write: true, mount.IomapOperations))
            : BufferedWrite(ip, position, length);
        if (done.IsOk)
        {
            ip.Dinode.Size = Math.Max(ip.Dinode.Size, position.Value + done.Value.Value);
        }

        return done;
    }

    /// <summary>truncate(2) -&gt; xfs_setattr_size: unmap and drop pages past the new size, free its blocks.</summary>
    public Errno Truncate(InodeNumber inode, ByteLength size)
    {
        var file = RegularFile(inode);
        if (!file.IsOk)
        {
            return file.Error;
        }

        var ip = file.Value;
        // xfs_vn_setattr(ATTR_SIZE) -> xfs_break_layouts(BREAK_UNMAP) on any size change.
        mount.Kernel.DaxBreakLayout(ip.Mapping);
        if (size.Value < ip.Dinode.Size)
        {
            var keep = (size.Value + XfsGeometry.BlockSize - 1) >> XfsGeometry.BlockLog;
            mount.Kernel.TruncatePagecacheRange(ip.Mapping, new FileOffset(keep << XfsGeometry.BlockLog), MaxFileOffset);
            mount.Bmap.UnmapRange(ip.Dinode, keep, ulong.MaxValue);
            mount.Reflink.CancelCow(ip.Dinode, keep, ulong.MaxValue);
        }

        ip.Dinode.Size = size.Value;
        return Errno.Ok;
    }

    /// <summary>xfs_remove: the name goes; an inode with no link left is freed once nothing holds it.</summary>
    public Errno Unlink(string path)
    {
        if (mount.IsShutdown)
        {
            return Errno.EIO;
        }

        var names = Split(path);
        if (!names.IsOk || names.Value.Length == 0)
        {
            return Errno.EINVAL;
        }

        var parentPath = "/" + string.Join('/', names.Value[..^1]);
        var parent = Resolve(parentPath);
        if (!parent.IsOk || !parent.Value.Entries.TryGetValue(names.Value[^1], out var ino))
        {
            return Errno.ENOENT;
        }

        var dinode = Image.Inodes[ino];
        if (dinode.IsDirectory)
        {
            return Errno.EISDIR;
        }

        parent.Value.Entries.Remove(names.Value[^1]);
        dinode.Nlink--;
        if (dinode.Nlink == 0)
        {
            if (mount.Cache.Cached(ino) is { } cached)
            {
                if (cached.References == 0)
                {
                    mount.Cache.Evict(cached);
                }
            }
            else
            {
                mount.Cache.Inactivate(dinode);
            }
        }

        return Errno.Ok;
    }

    /// <summary>MAX_LFS_FILESIZE, the inclusive end of "everything past here".</summary>
    internal static FileOffset MaxFileOffset => new(long.MaxValue);

    /// <summary>The regular file's in-core inode (brought in if needed): -EIO after shutdown, -EISDIR for a directory.</summary>
    private ErrnoOr<XfsInode> RegularFile(InodeNumber inode)
    {
        var got = mount.Cache.Grab(inode.Value);
        if (got.IsOk && got.Value.Dinode.IsDirectory)
        {
            return ErrnoOr<XfsInode>.Fail(Errno.EISDIR, $"xfs: inode {inode} is a directory");
        }

        return got;
    }

    /// <summary>Runs <paramref name="io"/> with a reference held on the inode, as an open file holds one.</summary>
    private static ErrnoOr<ByteLength> Held(XfsInode ip, Func<ErrnoOr<ByteLength>> io)
    {
        ip.References++;
        try
        {
            return io();
        }
        finally
        {
            ip.References--;
        }
    }

    /// <summary>A buffered write, reduced to its effect on the media: the same iomap decisions, no copy.</summary>
    private ErrnoOr<ByteLength> BufferedWrite(XfsInode ip, FileOffset position, ByteLength length)
    {
        var pos = position.Value;
        var end = position.Value + length.Value;
        while (pos < end)
        {
            var begin = mount.IomapOperations.IomapBegin(ip.Number, new FileOffset(pos), new ByteLength(end - pos), IomapRequest.Write);
            if (!begin.IsOk)
            {
                return pos > position.Value ? ErrnoOr<ByteLength>.Ok(new ByteLength(pos - position.Value)) : ErrnoOr<ByteLength>.Fail(begin.Error, begin.Message);
            }

            var map = begin.Value.Map;
            var chunkEnd = Math.Min(end, map.Offset.Value + map.Length.Value);
            mount.IomapOperations.IomapEnd(ip.Number, new FileOffset(pos), new ByteLength(chunkEnd - pos), new ByteLength(chunkEnd - pos), IomapRequest.Write, map);
            pos = chunkEnd;
        }

        return ErrnoOr<ByteLength>.Ok(length);
    }
}
