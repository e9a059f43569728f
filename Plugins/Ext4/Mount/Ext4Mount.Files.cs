using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Ext4.Extents;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>
/// The file operations (fs/ext4/file.c, inode.c, extents.c, namei.c): create, read and write (through dax_iomap_rw for DAX inodes), fallocate (unwritten
/// extents, punch, zero), truncate and unlink. ext4 has no reflink, so FICLONE and FICLONERANGE
/// fail with -EOPNOTSUPP (no -&gt;remap_file_range). A shut-down (panicked) filesystem answers -EIO;
/// one that aborted its journal or went read-only refuses changes with -EROFS.
/// </summary>
internal sealed partial class Ext4Mount : IFileOperations
{
    private const ulong BlockSize = Ext4Geometry.BlockSize;

    public ErrnoOr<InodeNumber> Lookup(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var found = image.Resolve(path);
        return found.IsOk ? ErrnoOr<InodeNumber>.Ok(found.Value.Number) : ErrnoOr<InodeNumber>.Fail(found.Error, found.Message);
    }

    /// <summary>
    /// open(O_CREAT|O_EXCL): ext4_create in an existing directory; EXT4_DAX_FL is inherited from
    /// the parent (EXT4_FL_INHERITED); the new inode stays in core after the close.
    /// </summary>
    public ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Refused() is { } refused)
        {
            return ErrnoOr<InodeNumber>.Fail(refused);
        }

        var parent = image.ResolveParent(path);
        if (!parent.IsOk)
        {
            return ErrnoOr<InodeNumber>.Fail(parent.Error, parent.Message);
        }

        var (dir, name) = parent.Value;
        if (dir.Entries.ContainsKey(name))
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.EEXIST, path);
        }

        var data = image.NewInode(options.Dax ?? dir.DaxFlag);
        if (!data.IsOk)
        {
            return ErrnoOr<InodeNumber>.Fail(data.Error, data.Message);
        }

        dir.Entries[name] = data.Value.Number;
        _ = inodes.Grab(data.Value.Number);
        return ErrnoOr<InodeNumber>.Ok(data.Value.Number);
    }

    public ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<ByteLength>.Fail(Errno.EIO);
        }

        return WithInode(inode, held => held.Mapping.IsDax
            ? kernel.DaxIomapRw(held, position, length, write: false, this)
            : ErrnoOr<ByteLength>.Ok(new ByteLength(position.Value >= held.Data.Size ? 0 : Math.Min(length.Value, held.Data.Size - position.Value))));
    }

    /// <summary>ext4_dax_write_iter: dax_iomap_rw with ext4_iomap_ops, then i_size grows to the end of what was written.</summary>
    public ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length)
    {
        if (Refused() is { } refused)
        {
            return ErrnoOr<ByteLength>.Fail(refused);
        }

        return WithInode(inode, held =>
        {
            var result = held.Mapping.IsDax ? kernel.DaxIomapRw(held, position, length, write: true, this) : WriteThroughPageCache(held, position, length);
            if (result.IsOk)
            {
                held.Data.Size = Math.Max(held.Data.Size, position.Value + result.Value.Value);
            }

            return result;
        });
    }

    public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        if (length.Value == 0)
        {
            return Errno.EINVAL;
        }

        return WithInode(inode, held =>
        {
            var done = Fallocate(held, mode, position, length);
            return done == Errno.Ok ? ErrnoOr<ByteLength>.Ok(length) : ErrnoOr<ByteLength>.Fail(done);
        }).Error;
    }

    /// <summary>vfs_clone_file_range: ext4 has no -&gt;remap_file_range, so -EOPNOTSUPP.</summary>
    public Errno Clone(InodeNumber source, InodeNumber destination) => Errno.EOPNOTSUPP;

    /// <summary>As <see cref="Clone"/>.</summary>
    public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length) => Errno.EOPNOTSUPP;

    /// <summary>ext4_setattr: shrinking unmaps and deletes the page cache past the new size (truncate_pagecache), then ext4_truncate frees the blocks.</summary>
    public Errno Truncate(InodeNumber inode, ByteLength size)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        return WithInode(inode, held =>
        {
            // ext4_setattr(ATTR_SIZE) -> ext4_break_layouts(): the whole file is unmapped first.
            kernel.DaxBreakLayout(held.Mapping);
            var old = held.Data.Size;
            if (size.Value < old)
            {
                var from = (size.Value + BlockSize - 1) / BlockSize * BlockSize;
                var to = (old + BlockSize - 1) / BlockSize * BlockSize;
                if (to > from)
                {
                    kernel.TruncatePagecacheRange(held.Mapping, new FileOffset(from), new FileOffset(to - 1));
                }

                var removed = RemoveBlocks(held.Data, from / BlockSize, ulong.MaxValue);
                if (removed != Errno.Ok)
                {
                    return ErrnoOr<ByteLength>.Fail(removed);
                }
            }

            held.Data.Size = size.Value;
            return ErrnoOr<ByteLength>.Ok(size);
        }).Error;
    }

    /// <summary>ext4_unlink: the name goes now; the inode and its blocks when the last reference does (an orphan until then).</summary>
    public Errno Unlink(string path)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        var parent = image.ResolveParent(path);
        if (!parent.IsOk)
        {
            return parent.Error;
        }

        var (dir, name) = parent.Value;
        if (!dir.Entries.TryGetValue(name, out var ino))
        {
            return Errno.ENOENT;
        }

        if (image.Find(ino) is { IsDirectory: true })
        {
            return Errno.EISDIR;
        }

        dir.Entries.Remove(name);
        var held = inodes.Grab(ino).Value;
        held.Orphan = true;
        if (held.References == 0)
        {
            inodes.Evict(held);
        }

        return Errno.Ok;
    }

    /// <summary>ext4_fallocate: allocate (unwritten extents), punch or zero; other modes are not modelled.</summary>
    private Errno Fallocate(Ext4Inode held, FallocateMode mode, FileOffset position, ByteLength length)
    {
        var end = position.Value + length.Value;
        if ((mode & FallocateMode.PunchHole) != 0)
        {
            // ext4_punch_hole: only with KEEP_SIZE, clipped to i_size, whole blocks only.
            if ((mode & FallocateMode.KeepSize) == 0)
            {
                return Errno.EOPNOTSUPP;
            }

            if (position.Value >= held.Data.Size)
            {
                return Errno.Ok;
            }

            // ext4_break_layouts(): the whole file is unmapped before the hole is punched.
            kernel.DaxBreakLayout(held.Mapping);
            end = Math.Min(end, held.Data.Size);
            var first = (position.Value + BlockSize - 1) / BlockSize;
            var last = end / BlockSize;
            if (first >= last)
            {
                return Errno.Ok;
            }

            kernel.TruncatePagecacheRange(held.Mapping, new FileOffset(first * BlockSize), new FileOffset((last * BlockSize) - 1));
            return RemoveBlocks(held.Data, first, last);
        }

        if ((mode & ~(FallocateMode.KeepSize | FallocateMode.ZeroRange)) != 0)
        {
            return Errno.EOPNOTSUPP;
        }

        var from = position.Value / BlockSize;
        var to = (end + BlockSize - 1) / BlockSize;
        if ((mode & FallocateMode.ZeroRange) != 0)
        {
            // ext4_zero_range: break layouts (the whole file is unmapped), drop the page cache,
            // turn written blocks unwritten in place.
            kernel.DaxBreakLayout(held.Mapping);
            kernel.TruncatePagecacheRange(held.Mapping, new FileOffset(from * BlockSize), new FileOffset((to * BlockSize) - 1));
            var zeroed = MarkUnwritten(held.Data, from, to);
            if (zeroed != Errno.Ok)
            {
                return zeroed;
            }
        }

        var allocated = AllocateUnwritten(held.Data, from, to);
        if (allocated == Errno.Ok && (mode & FallocateMode.KeepSize) == 0)
        {
            held.Data.Size = Math.Max(held.Data.Size, end);
        }

        return allocated;
    }

    /// <summary>ext4_alloc_file_blocks with EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT: every hole in [from, to) gets unwritten extents.</summary>
    private Errno AllocateUnwritten(Ext4InodeData data, ulong from, ulong to)
    {
        var block = from;
        while (block < to)
        {
            if (data.Tree.Find(block) is { } existing)
            {
                block = existing.End;
                continue;
            }

            var holeEnd = Math.Min(to, data.Tree.NextMappedAfter(block) ?? ulong.MaxValue);
            var wanted = Math.Min(holeEnd - block, Extent.UnwrittenMaxLength);
            var made = AllocateExtent(data, block, wanted, unwritten: true);
            if (!made.IsOk)
            {
                return made.Error;
            }

            block = made.Value.End;
        }

        return Errno.Ok;
    }

    private Errno MarkUnwritten(Ext4InodeData data, ulong from, ulong to)
    {
        foreach (var e in data.Tree.Extents.Where(e => !e.Unwritten && e.Clip(from, to) is not null).ToList())
        {
            var pieces = new[] { e.Clip(e.Logical, from), e.Clip(from, to) is { } mid ? mid with { Unwritten = true } : null, e.Clip(to, e.End) };
            var replaced = data.Tree.Replace(e, [.. pieces.Where(p => p is not null).Select(p => p!.Value)], TreeBlocks(data));
            if (replaced != Errno.Ok)
            {
                return replaced;
            }
        }

        return Errno.Ok;
    }

    /// <summary>Removes file blocks [from, to) and frees their data blocks (busy until the journal commits).</summary>
    private Errno RemoveBlocks(Ext4InodeData data, ulong from, ulong to)
    {
        var freed = data.Tree.Remove(from, to, TreeBlocks(data));
        if (!freed.IsOk)
        {
            return freed.Error;
        }

        foreach (var run in freed.Value)
        {
            allocator.Free(run.Physical, run.Length);
        }

        return Errno.Ok;
    }

    /// <summary>A non-DAX inode's write goes through the page cache; the model allocates as ext4_da_write_begin would at writeback.</summary>
    private ErrnoOr<ByteLength> WriteThroughPageCache(Ext4Inode held, FileOffset position, ByteLength length)
    {
        var pos = position.Value;
        var end = position.Value + length.Value;
        while (pos < end)
        {
            var map = IomapBegin(held.Number, new FileOffset(pos), new ByteLength(end - pos), IomapRequest.Write);
            if (!map.IsOk)
            {
                return pos > position.Value ? ErrnoOr<ByteLength>.Ok(new ByteLength(pos - position.Value)) : ErrnoOr<ByteLength>.Fail(map.Error, map.Message);
            }

            pos = map.Value.Map.Offset.Value + map.Value.Map.Length.Value;
        }

        return ErrnoOr<ByteLength>.Ok(length);
    }

    /// <summary>Runs a syscall on an inode the way open/close would: in core for the call, and still in core (recently used) afterwards.</summary>
    private ErrnoOr<ByteLength> WithInode(InodeNumber inode, Func<Ext4Inode, ErrnoOr<ByteLength>> call)
    {
        var held = inodes.Iget(inode);
        if (!held.IsOk)
        {
            return ErrnoOr<ByteLength>.Fail(held.Error, held.Message);
        }

        try
        {
            return call((Ext4Inode)held.Value);
        }
        finally
        {
            inodes.Iput(held.Value);
        }
    }

    private Errno? Refused() =>
        SuperBlock.IsShutdown ? Errno.EIO : Errors.RefusesChanges ? Errno.EROFS : null;
}
