using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace MyFs;

/// <summary>How a mount decides S_DAX: dax=always, dax=never, or dax=inode (the file's DAX flag; the default).</summary>
internal enum DaxMode
{
    Inode,
    Always,
    Never,
}

/// <summary>An in-core inode: the VFS inode (with i_count and i_mapping) around the on-media one.</summary>
internal sealed class MyFsInode(MyFsInodeData data, IAddressSpace mapping) : CachedInode(mapping)
{
    public MyFsInodeData Data { get; } = data;

    public override InodeNumber Number => Data.Number;

    public override ByteLength Size => new(Data.Size);

    /// <summary>Unlinked while still referenced: its blocks go at the last iput.</summary>
    public bool Orphan { get; set; }
}

/// <summary>
/// A mounted myfs: the file operations (root directory only), the inode cache, the iomap
/// operations DAX I/O and faults go through, the reverse map, and the holder registration that
/// routes memory failures on the disk to <see cref="MyFsNotifyFailure"/>. After a shutdown every
/// operation fails with -EIO.
/// </summary>
internal sealed class MyFsMount : IMountedFileSystem, IFileOperations, IIomapOps
{
    private const ulong BlockSize = MyFsImage.BlockSize;
    private readonly MyFsImage image;
    private readonly InodeCache<MyFsInode> inodes;
    private readonly MyFsNotifyFailure holder;

    private MyFsMount(MountRequest request, MyFsImage image, DaxMode dax)
    {
        this.image = image;
        Kernel = request.Kernel;
        SuperBlock = request.SuperBlock;
        Dax = dax;
        ReverseMap = new MyFsReverseMap(image);
        inodes = new InodeCache<MyFsInode>(Kernel, ReadInode, Evicted, inode => inode.Orphan);
        holder = new MyFsNotifyFailure(this, image);
        // fs_dax_get_by_bdev() with holder operations: from now on the disk's memory failures
        // come to holder.NotifyFailure. Null when the device has no DAX or another holder has it.
        DaxDevice = Kernel.FsDaxGetByBdev(image.Device, holder, holder);
    }

    public ISuperBlock SuperBlock { get; }

    public IFileOperations Files => this;

    public IInodeCache Inodes => inodes;

    public IIomapOps Iomap => this;

    public IReverseMap ReverseMap { get; }

    /// <summary>The kernel services of this machine.</summary>
    public IKernelServices Kernel { get; }

    /// <summary>The disk's dax device, or null (files are then never DAX).</summary>
    public IDaxDevice? DaxDevice { get; }

    /// <summary>The dax= mount option.</summary>
    public DaxMode Dax { get; }

    /// <summary>
    /// fill_super: parse dax=always|never|inode (-EINVAL for anything else), take the dax device,
    /// refuse dax=always without one, and log the mount.
    /// </summary>
    public static ErrnoOr<IMountedFileSystem> Mount(MountRequest request, MyFsImage image)
    {
        if (request.Options.Unknown("dax") is [var unknown, ..])
        {
            return ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"myfs: unknown mount option '{unknown}' (known: dax=always|never|inode)");
        }

        DaxMode? dax = request.Options.Get("dax") switch
        {
            null or "inode" => DaxMode.Inode,
            "" or "always" => DaxMode.Always,
            "never" => DaxMode.Never,
            _ => null,
        };
        if (dax is not { } mode)
        {
            return ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"myfs: dax={request.Options.Get("dax")}: give always, never or inode");
        }

        var mount = new MyFsMount(request, image, mode);
        var id = request.SuperBlock.Id;
        if (mode == DaxMode.Always && mount.DaxDevice is null)
        {
            request.Kernel.Log.Printk(KernelLogLevel.Err, $"myfs ({id}): DAX unsupported by block device.");
            return ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"myfs: dax=always but {image.Device.Name} gives no dax device");
        }

        request.Kernel.Log.Printk(KernelLogLevel.Info, $"myfs ({id}): mounted, dax={mode.ToString().ToLowerInvariant()}, {image.Blocks} blocks, {image.InodeCount} inodes");
        return ErrnoOr<IMountedFileSystem>.Ok(mount);
    }

    /// <summary>kill_sb: -EBUSY while an inode is referenced; else every inode is evicted and the dax device put.</summary>
    public Errno Unmount()
    {
        if (inodes.AnyReferenced)
        {
            return Errno.EBUSY;
        }

        inodes.EvictAll();
        Kernel.Log.Printk(KernelLogLevel.Info, $"myfs ({SuperBlock.Id}): unmounted");
        if (DaxDevice is not null)
        {
            Kernel.FsPutDax(DaxDevice, holder);
        }

        return Errno.Ok;
    }

    /// <summary>-&gt;shutdown: the block device went away; every later operation fails with -EIO.</summary>
    public void Shutdown() => ForceShutdown("the block device was removed");

    /// <summary>Shuts the filesystem down once, logging why.</summary>
    public void ForceShutdown(string reason)
    {
        if (!SuperBlock.IsShutdown)
        {
            Kernel.Log.Printk(KernelLogLevel.Alert, $"myfs ({SuperBlock.Id}): shutting down: {reason}");
            SuperBlock.ForceShutdown(reason);
        }
    }

    // ---- file operations ----

    public ErrnoOr<InodeNumber> Lookup(string path) =>
        path == "/" ? ErrnoOr<InodeNumber>.Ok(MyFsImage.Root)
        : NameOf(path) is { } name && image.RootEntries.TryGetValue(name, out var ino) ? ErrnoOr<InodeNumber>.Ok(ino)
        : ErrnoOr<InodeNumber>.Fail(Errno.ENOENT, $"{path}: no such file (myfs keeps files in the root directory)");

    public ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.EIO);
        }

        if (NameOf(path) is not { } name)
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.ENOENT, $"{path}: myfs keeps files in the root directory");
        }

        if (image.RootEntries.ContainsKey(name))
        {
            return ErrnoOr<InodeNumber>.Fail(Errno.EEXIST, path);
        }

        var data = image.NewInode(options.Dax ?? false);
        if (!data.IsOk)
        {
            return ErrnoOr<InodeNumber>.Fail(data.Error, data.Message);
        }

        image.RootEntries[name] = data.Value.Number;
        _ = inodes.Grab(data.Value.Number); // a new inode stays in core after the create's close
        return ErrnoOr<InodeNumber>.Ok(data.Value.Number);
    }

    public ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length) =>
        SuperBlock.IsShutdown ? ErrnoOr<ByteLength>.Fail(Errno.EIO)
        : WithInode(inode, held => held.Mapping.IsDax
            ? Kernel.DaxIomapRw(held, position, length, write: false, this)
            : ErrnoOr<ByteLength>.Ok(new ByteLength(position.Value >= held.Data.Size ? 0 : Math.Min(length.Value, held.Data.Size - position.Value))));

    /// <summary>write(2): through dax_iomap_rw for a DAX file (blocks allocated in iomap_begin), then i_size grows.</summary>
    public ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length) =>
        SuperBlock.IsShutdown ? ErrnoOr<ByteLength>.Fail(Errno.EIO)
        : WithInode(inode, held =>
        {
            var done = held.Mapping.IsDax ? Kernel.DaxIomapRw(held, position, length, write: true, this) : AllocateForPageCache(held, position, length);
            if (done.IsOk)
            {
                held.Data.Size = Math.Max(held.Data.Size, position.Value + done.Value.Value);
            }

            return done;
        });

    /// <summary>fallocate(2): allocate (unwritten extents) or punch a hole; other modes are -EOPNOTSUPP.</summary>
    public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length)
    {
        if (SuperBlock.IsShutdown)
        {
            return Errno.EIO;
        }

        if (length.Value == 0)
        {
            return Errno.EINVAL;
        }

        return WithInode(inode, held =>
        {
            var end = position.Value + length.Value;
            if (mode == (FallocateMode.PunchHole | FallocateMode.KeepSize))
            {
                // The layout changes: unmap the file everywhere first, then drop the punched range.
                Kernel.DaxBreakLayout(held.Mapping);
                var first = (position.Value + BlockSize - 1) / BlockSize;
                var last = Math.Min(end, held.Data.Size) / BlockSize;
                if (first < last)
                {
                    Kernel.TruncatePagecacheRange(held.Mapping, new FileOffset(first * BlockSize), new FileOffset((last * BlockSize) - 1));
                    FreeBlocks(held.Data, first, last);
                }

                return ErrnoOr<ByteLength>.Ok(length);
            }

            if ((mode & ~FallocateMode.KeepSize) != 0)
            {
                return ErrnoOr<ByteLength>.Fail(Errno.EOPNOTSUPP);
            }

            for (var block = position.Value / BlockSize; block < (end + BlockSize - 1) / BlockSize;)
            {
                if (held.Data.Find(block) is { } existing)
                {
                    block = existing.End;
                    continue;
                }

                var made = AllocateExtent(held.Data, block, HoleLength(held.Data, block, ((end + BlockSize - 1) / BlockSize) - block), unwritten: true);
                if (!made.IsOk)
                {
                    return ErrnoOr<ByteLength>.Fail(made.Error, made.Message);
                }

                block = made.Value.End;
            }

            if ((mode & FallocateMode.KeepSize) == 0)
            {
                held.Data.Size = Math.Max(held.Data.Size, end);
            }

            return ErrnoOr<ByteLength>.Ok(length);
        }).Error;
    }

    /// <summary>myfs has no reflink: FICLONE is -EOPNOTSUPP (a scenario's clone-of then copies).</summary>
    public Errno Clone(InodeNumber source, InodeNumber destination) => Errno.EOPNOTSUPP;

    /// <summary>As <see cref="Clone"/>.</summary>
    public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length) => Errno.EOPNOTSUPP;

    /// <summary>truncate(2): break the layout, drop the pages past the new size and free their blocks.</summary>
    public Errno Truncate(InodeNumber inode, ByteLength size) =>
        SuperBlock.IsShutdown ? Errno.EIO
        : WithInode(inode, held =>
        {
            Kernel.DaxBreakLayout(held.Mapping);
            var from = (size.Value + BlockSize - 1) / BlockSize;
            var to = (held.Data.Size + BlockSize - 1) / BlockSize;
            if (from < to)
            {
                Kernel.TruncatePagecacheRange(held.Mapping, new FileOffset(from * BlockSize), new FileOffset((to * BlockSize) - 1));
                FreeBlocks(held.Data, from, ulong.MaxValue);
            }

            held.Data.Size = size.Value;
            return ErrnoOr<ByteLength>.Ok(size);
        }).Error;

    /// <summary>unlink(2): the name goes now, the inode and its blocks with the last reference.</summary>
    public Errno Unlink(string path)
    {
        if (SuperBlock.IsShutdown)
        {
            return Errno.EIO;
        }

        if (NameOf(path) is not { } name || !image.RootEntries.Remove(name, out var ino))
        {
            return Errno.ENOENT;
        }

        var held = inodes.Grab(ino).Value;
        held.Orphan = true;
        if (held.References == 0)
        {
            inodes.Evict(held);
        }

        return Errno.Ok;
    }

    // ---- iomap ----

    /// <summary>
    /// -&gt;iomap_begin: a read (or a write over written blocks) maps the extent or hole at the
    /// position; a write over a hole allocates blocks, a write over an unwritten extent converts
    /// it, both reported IOMAP_F_NEW so fs/dax.c zeroes what it must.
    /// </summary>
    public ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO);
        }

        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO, $"myfs: iomap_begin on inode {inode}, which is not a file");
        }

        var first = position.Value / BlockSize;
        var count = Math.Max(1, ((position.Value + length.Value + BlockSize - 1) / BlockSize) - first);
        var existing = data.Find(first);
        if ((request & IomapRequest.Write) == 0 || existing is { Unwritten: false })
        {
            if (existing is { } e)
            {
                var piece = e.Clip(first, first + count)!.Value;
                return ErrnoOr<IomapResult>.Ok(new IomapResult(MapOf(piece, e.Unwritten ? IomapType.Unwritten : IomapType.Mapped, IomapMappingFlags.None)));
            }

            var hole = HoleLength(data, first, count);
            return ErrnoOr<IomapResult>.Ok(new IomapResult(new Iomap(new FileOffset(first * BlockSize), new ByteLength(hole * BlockSize), IomapType.Hole, IomapMappingFlags.None, null, DaxDevice)));
        }

        var made = existing is { } unwritten
            ? ErrnoOr<MyFsExtent>.Ok(data.MarkWritten(unwritten, first, Math.Min(first + count, unwritten.End)))
            : AllocateExtent(data, first, HoleLength(data, first, count), unwritten: false);
        return made.IsOk
            ? ErrnoOr<IomapResult>.Ok(new IomapResult(MapOf(made.Value, IomapType.Mapped, IomapMappingFlags.New)))
            : ErrnoOr<IomapResult>.Fail(made.Error, made.Message);
    }

    /// <summary>-&gt;iomap_end: nothing to finish (no copy on write, no delayed conversion).</summary>
    public Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map) => Errno.Ok;

    // ---- helpers ----

    /// <summary>iget's read: -ENOENT for a free inode, -EISDIR for the root; S_DAX as the dax= option and the file's flag decide.</summary>
    private ErrnoOr<MyFsInode> ReadInode(InodeNumber inode)
    {
        if (inode == MyFsImage.Root)
        {
            return ErrnoOr<MyFsInode>.Fail(Errno.EISDIR, "myfs: the root directory is not a file");
        }

        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<MyFsInode>.Fail(Errno.ENOENT, $"myfs: inode {inode} is not in use");
        }

        var dax = DaxDevice is not null && Dax != DaxMode.Never && (Dax == DaxMode.Always || data.DaxFlag);
        return ErrnoOr<MyFsInode>.Ok(new MyFsInode(data, Kernel.InitInodeMapping(SuperBlock, inode, dax)));
    }

    /// <summary>After eviction: an unlinked inode loses its blocks and its number.</summary>
    private void Evicted(MyFsInode inode)
    {
        if (inode.Orphan)
        {
            FreeBlocks(inode.Data, 0, ulong.MaxValue);
            image.FreeInode(inode.Number);
        }
    }

    private void FreeBlocks(MyFsInodeData data, ulong from, ulong to)
    {
        foreach (var run in data.Remove(from, to))
        {
            image.Free(run.Physical, run.Length);
        }
    }

    /// <summary>Up to <paramref name="wanted"/> blocks for file block <paramref name="logical"/>, next to the file's previous extent if free.</summary>
    private ErrnoOr<MyFsExtent> AllocateExtent(MyFsInodeData data, ulong logical, ulong wanted, bool unwritten)
    {
        var goal = data.GoalFor(logical) ?? image.FirstDataBlock;
        if (image.Allocate(goal, wanted) is not { } run)
        {
            return ErrnoOr<MyFsExtent>.Fail(Errno.ENOSPC, "myfs: no free blocks");
        }

        var extent = new MyFsExtent(logical, run.Start, run.Count, unwritten);
        data.Insert(extent);
        return ErrnoOr<MyFsExtent>.Ok(extent);
    }

    private static ulong HoleLength(MyFsInodeData data, ulong first, ulong count) =>
        Math.Min(count, (data.NextMappedAfter(first) ?? ulong.MaxValue) - first);

    private Iomap MapOf(MyFsExtent extent, IomapType type, IomapMappingFlags flags) =>
        new(new FileOffset(extent.Logical * BlockSize), new ByteLength(extent.Length * BlockSize), type, flags, image.OffsetOf(extent.Physical), DaxDevice);

    /// <summary>A file that is not DAX writes through the page cache; its blocks are allocated as writeback would.</summary>
    private ErrnoOr<ByteLength> AllocateForPageCache(MyFsInode held, FileOffset position, ByteLength length)
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

    /// <summary>A syscall on an open file: the inode is referenced for the call and stays in core after it.</summary>
    private ErrnoOr<ByteLength> WithInode(InodeNumber inode, Func<MyFsInode, ErrnoOr<ByteLength>> call)
    {
        var held = inodes.Iget(inode);
        if (!held.IsOk)
        {
            return ErrnoOr<ByteLength>.Fail(held.Error, held.Message);
        }

        try
        {
            return call((MyFsInode)held.Value);
        }
        finally
        {
            inodes.Iput(held.Value);
        }
    }

    private static string? NameOf(string? path) =>
        path is { Length: > 1 } && path[0] == '/' && path.IndexOf('/', 1) < 0 ? path[1..] : null;
}
