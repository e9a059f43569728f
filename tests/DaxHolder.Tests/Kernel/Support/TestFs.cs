using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Tests.Kernel.Support;

/// <summary>
/// A minimal filesystem for kernel-model tests: 4 KiB blocks, block 0 is its superblock
/// (metadata), files get first-fit extents (2 MiB-aligned with an extent-size hint), clones share
/// blocks with a reference count, and a write to a shared block copies it (CoW). Mount option
/// "holder" registers holder operations backed by its rmap, as XFS does; without it the
/// filesystem takes the dax device with no holder, as ext4 does, and failures take the generic path.
/// </summary>
internal sealed class TestFsType : IFileSystemType
{
    public string Name => "testfs";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request) => ErrnoOr<IFileSystemImage>.Ok(new TestFsImage(request.Device));

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request) =>
        ErrnoOr<IMountedFileSystem>.Ok(new TestFs((TestFsImage)request.Image, request.SuperBlock, request.Kernel, request.Options.Has("holder")));
}

internal sealed class TestFsImage(IBlockDevice device) : IFileSystemImage
{
    public string FileSystemType => "testfs";

    public IBlockDevice Device { get; } = device;

    public IBlockDevice? LogDevice => null;

    public IBlockDevice? RealtimeDevice => null;

    /// <summary>Files by path: inode number, size, and the device block of each file block (absent = hole).</summary>
    public Dictionary<string, TestFile> Files { get; } = new(StringComparer.Ordinal);

    public Dictionary<ulong, int> BlockRefs { get; } = [];

    public ulong NextInode { get; set; } = 100;

    public ulong Blocks => Device.Size.Value / PageGeometry.PageSize;
}

internal sealed class TestFile(InodeNumber number)
{
    public InodeNumber Number { get; } = number;

    public ulong Size { get; set; }

    public SortedDictionary<ulong, ulong> Blocks { get; } = [];

    public bool AlignExtents { get; set; }
}

internal sealed class TestFs : IMountedFileSystem, IFileOperations, IInodeCache, IIomapOps, IReverseMap, IDaxHolderOperations
{
    private readonly TestFsImage image;
    private readonly IKernelServices kernel;
    private readonly Dictionary<InodeNumber, TestInode> inCore = [];
    private readonly IDaxDevice? dax;

    public TestFs(TestFsImage image, ISuperBlock superBlock, IKernelServices kernel, bool holder)
    {
        this.image = image;
        this.kernel = kernel;
        SuperBlock = superBlock;
        dax = kernel.FsDaxGetByBdev(image.Device, holder ? this : null, holder ? this : null);
        image.BlockRefs[0] = 1;
    }

    public ISuperBlock SuperBlock { get; }

    public IFileOperations Files => this;

    public IInodeCache Inodes => this;

    public IIomapOps Iomap => this;

    public IReverseMap ReverseMap => this;

    public IReadOnlyList<IInode> InCore => inCore.Values.ToList();

    public Errno Unmount()
    {
        foreach (var inode in inCore.Values.ToList())
        {
            Evict(inode);
        }

        if (dax is not null)
        {
            kernel.FsPutDax(dax, this);
        }

        return Errno.Ok;
    }

    // --- files -------------------------------------------------------------------------------

    public ErrnoOr<InodeNumber> Lookup(string path) =>
        image.Files.TryGetValue(path, out var f) ? ErrnoOr<InodeNumber>.Ok(f.Number) : ErrnoOr<InodeNumber>.Fail(Errno.ENOENT, path);

    public ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options)
    {
        var file = new TestFile(new InodeNumber(image.NextInode++)) { AlignExtents = options.ExtentSizeHint is { Value: >= PageGeometry.PmdSize } };
        image.Files[path] = file;
        return ErrnoOr<InodeNumber>.Ok(file.Number);
    }

    public ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length) =>
        SuperBlock.IsShutdown ? ErrnoOr<ByteLength>.Fail(Errno.EIO) : kernel.DaxIomapRw(Get(inode), position, length, false, this);

    public ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<ByteLength>.Fail(Errno.EIO);
        }

        var held = Get(inode);
        var result = kernel.DaxIomapRw(held, position, length, true, this);
        if (result.IsOk)
        {
            var file = FileOf(inode);
            file.Size = Math.Max(file.Size, position.Value + result.Value.Value);
        }

        return result;
    }

    public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length)
    {
        var file = FileOf(inode);
        var first = position.Value / PageGeometry.PageSize;
        var last = (position.Value + length.Value - 1) / PageGeometry.PageSize;
        if ((mode & FallocateMode.PunchHole) != 0)
        {
            if (inCore.TryGetValue(inode, out var held))
            {
                kernel.TruncatePagecacheRange(held.Mapping, new FileOffset(first * PageGeometry.PageSize), new FileOffset(((last + 1) * PageGeometry.PageSize) - 1));
            }

            for (var b = first; b <= last; b++)
            {
                if (file.Blocks.Remove(b, out var dev))
                {
                    Unref(dev);
                }
            }

            return Errno.Ok;
        }

        for (var b = first; b <= last; b++)
        {
            if (!file.Blocks.ContainsKey(b))
            {
                file.Blocks[b] = Allocate(file, b);
            }
        }

        if ((mode & FallocateMode.KeepSize) == 0)
        {
            file.Size = Math.Max(file.Size, position.Value + length.Value);
        }

        return Errno.Ok;
    }

    public Errno Clone(InodeNumber source, InodeNumber destination)
    {
        var from = FileOf(source);
        return CloneRange(source, new FileOffset(0), destination, new FileOffset(0), new ByteLength(from.Size));
    }

    public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length)
    {
        var from = FileOf(source);
        var to = FileOf(destination);
        var pages = (length.Value + PageGeometry.PageSize - 1) / PageGeometry.PageSize;
        for (ulong i = 0; i < pages; i++)
        {
            if (from.Blocks.TryGetValue((sourcePosition.Value / PageGeometry.PageSize) + i, out var dev))
            {
                to.Blocks[(destinationPosition.Value / PageGeometry.PageSize) + i] = dev;
                image.BlockRefs[dev]++;
            }
        }

        to.Size = Math.Max(to.Size, destinationPosition.Value + length.Value);
        return Errno.Ok;
    }

    public Errno Truncate(InodeNumber inode, ByteLength size)
    {
        var file = FileOf(inode);
        if (size.Value < file.Size)
        {
            var first = (size.Value + PageGeometry.PageSize - 1) / PageGeometry.PageSize;
            Fallocate(inode, FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset(first * PageGeometry.PageSize), new ByteLength(Math.Max(PageGeometry.PageSize, file.Size - (first * PageGeometry.PageSize))));
        }

        file.Size = size.Value;
        return Errno.Ok;
    }

    public Errno Unlink(string path)
    {
        if (!image.Files.Remove(path, out var file))
        {
            return Errno.ENOENT;
        }

        foreach (var dev in file.Blocks.Values)
        {
            Unref(dev);
        }

        return Errno.Ok;
    }

    // --- inode cache -------------------------------------------------------------------------

    public ErrnoOr<IInode> Iget(InodeNumber inode)
    {
        if (!inCore.TryGetValue(inode, out var held))
        {
            var file = image.Files.Values.FirstOrDefault(f => f.Number == inode);
            if (file is null)
            {
                return ErrnoOr<IInode>.Fail(Errno.ENOENT);
            }

            held = new TestInode(file, kernel.InitInodeMapping(SuperBlock, inode, dax is not null));
            inCore[inode] = held;
        }

        held.References++;
        return ErrnoOr<IInode>.Ok(held);
    }

    public void Iput(IInode inode) => inCore[inode.Number].References--;

    public IInode? FindInCore(InodeNumber inode) => inCore.GetValueOrDefault(inode);

    public int PruneUnreferenced()
    {
        var victims = inCore.Values.Where(i => i.References == 0).ToList();
        victims.ForEach(Evict);
        return victims.Count;
    }

    // --- iomap -------------------------------------------------------------------------------

    public ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO);
        }

        var file = FileOf(inode);
        var first = position.Value / PageGeometry.PageSize;
        var wanted = Math.Max(1, (length.Value + PageGeometry.PageSize - 1) / PageGeometry.PageSize);
        var write = (request & IomapRequest.Write) != 0;
        if (!file.Blocks.TryGetValue(first, out var dev))
        {
            if (!write)
            {
                var hole = 1UL;
                while (hole < wanted && !file.Blocks.ContainsKey(first + hole))
                {
                    hole++;
                }

                return ErrnoOr<IomapResult>.Ok(new IomapResult(new Iomap(new FileOffset(first * PageGeometry.PageSize), new ByteLength(hole * PageGeometry.PageSize), IomapType.Hole, IomapMappingFlags.None, null, dax)));
            }

            for (ulong i = 0; i < wanted; i++)
            {
                file.Blocks.TryAdd(first + i, Allocate(file, first + i));
            }

            return ErrnoOr<IomapResult>.Ok(new IomapResult(MapRun(file, first, wanted, IomapMappingFlags.New)));
        }

        if (write && image.BlockRefs[dev] > 1)
        {
            // CoW: a new block replaces the shared one, which becomes the source.
            var source = MapRun(file, first, 1, IomapMappingFlags.Shared);
            Unref(dev);
            file.Blocks[first] = Allocate(file, first);
            return ErrnoOr<IomapResult>.Ok(new IomapResult(MapRun(file, first, 1, IomapMappingFlags.Shared | IomapMappingFlags.New), source));
        }

        return ErrnoOr<IomapResult>.Ok(new IomapResult(MapRun(file, first, wanted, image.BlockRefs[dev] > 1 ? IomapMappingFlags.Shared : IomapMappingFlags.None)));
    }

    public Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map) => Errno.Ok;

    // --- rmap and notify_failure --------------------------------------------------------------

    public IReadOnlyList<RmapRecord> Query(DeviceExtent range)
    {
        var records = new List<RmapRecord>();
        var first = range.Start.Value / PageGeometry.PageSize;
        var last = (range.Start.Value + range.Length.Value - 1) / PageGeometry.PageSize;
        for (var b = first; b <= last; b++)
        {
            if (b == 0)
            {
                records.Add(new RmapRecord(new DeviceExtent(new DeviceOffset(0), ByteLength.Page), RmapOwner.OfMetadata("superblock"), null, RmapRecordFlags.None));
            }

            foreach (var file in image.Files.Values.OrderBy(f => f.Number.Value))
            {
                foreach (var (fileBlock, dev) in file.Blocks.Where(kv => kv.Value == b))
                {
                    records.Add(new RmapRecord(new DeviceExtent(new DeviceOffset(dev * PageGeometry.PageSize), ByteLength.Page), RmapOwner.OfInode(file.Number), new FileOffset(fileBlock * PageGeometry.PageSize), RmapRecordFlags.None));
                }
            }
        }

        return records;
    }

    public ErrnoOr<DeviceExtent> LocateMetadata(string name) =>
        name == "superblock" ? ErrnoOr<DeviceExtent>.Ok(new DeviceExtent(new DeviceOffset(0), ByteLength.Page)) : ErrnoOr<DeviceExtent>.Fail(Errno.ENOENT);

    /// <summary>An XFS-like notify_failure: not born: -EIO; clip to this device; metadata shuts down after the file kills.</summary>
    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        if (!SuperBlock.IsBorn)
        {
            return Errno.EIO;
        }

        var start = image.Device.Start.Value;
        var end = start + image.Device.Size.Value - 1;
        var last = length == ByteLength.Max ? ulong.MaxValue : offset.Value + length.Value - 1;
        if (last < start || offset.Value > end)
        {
            return Errno.ENXIO;
        }

        var from = Math.Max(offset.Value, start) - start;
        var to = Math.Min(last, end) - start;
        var preRemove = (flags & MfFlags.MemPreRemove) != 0;
        var wantShutdown = false;
        foreach (var record in Query(new DeviceExtent(new DeviceOffset(from), new ByteLength(to - from + 1))))
        {
            if (record.Owner.IsMetadata)
            {
                wantShutdown |= !preRemove;
                continue;
            }

            if (FindInCore(record.Owner.Inode!.Value) is not { } inode)
            {
                continue;
            }

            var result = kernel.MfDaxKillProcs(inode.Mapping, new PageIndex(record.FileOffset!.Value.Value / PageGeometry.PageSize), new PageCount(1), flags);
            if (result != Errno.Ok)
            {
                return result;
            }
        }

        if (wantShutdown)
        {
            SuperBlock.ForceShutdown("metadata");
            return Errno.EFSCORRUPTED;
        }

        return Errno.Ok;
    }

    // --- helpers -----------------------------------------------------------------------------

    private TestFile FileOf(InodeNumber inode) => image.Files.Values.First(f => f.Number == inode);

    private TestInode Get(InodeNumber inode) => inCore[inode];

    private Iomap MapRun(TestFile file, ulong first, ulong wanted, IomapMappingFlags flags)
    {
        var dev = file.Blocks[first];
        ulong run = 1;
        while (run < wanted && file.Blocks.TryGetValue(first + run, out var next) && next == dev + run && image.BlockRefs[next] == image.BlockRefs[dev])
        {
            run++;
        }

        return new Iomap(new FileOffset(first * PageGeometry.PageSize), new ByteLength(run * PageGeometry.PageSize), IomapType.Mapped, flags,
            new DeviceOffset(image.Device.Start.Value + (dev * PageGeometry.PageSize)), dax);
    }

    private ulong Allocate(TestFile file, ulong fileBlock)
    {
        const ulong pmdBlocks = PageGeometry.PmdSize / PageGeometry.PageSize;
        if (file.AlignExtents)
        {
            if (fileBlock > 0 && file.Blocks.TryGetValue(fileBlock - 1, out var previous) && !image.BlockRefs.ContainsKey(previous + 1))
            {
                return Take(previous + 1);
            }

            for (var b = pmdBlocks + (fileBlock % pmdBlocks); b < image.Blocks; b += pmdBlocks)
            {
                if (!image.BlockRefs.ContainsKey(b))
                {
                    return Take(b);
                }
            }
        }

        for (ulong b = 1; b < image.Blocks; b++)
        {
            if (!image.BlockRefs.ContainsKey(b))
            {
                return Take(b);
            }
        }

        throw new InvalidOperationException("testfs: no space");
    }

    private ulong Take(ulong block)
    {
        image.BlockRefs[block] = 1;
        return block;
    }

    private void Unref(ulong dev)
    {
        if (--image.BlockRefs[dev] == 0)
        {
            image.BlockRefs.Remove(dev);
        }
    }

    private void Evict(TestInode inode)
    {
        kernel.TruncateInodePagesFinal(inode.Mapping);
        inCore.Remove(inode.Number);
    }

    private sealed class TestInode(TestFile file, IAddressSpace mapping) : IInode
    {
        public InodeNumber Number => file.Number;

        public ByteLength Size => new(file.Size);

        public IAddressSpace Mapping { get; } = mapping;

        public int ReferenceCount => References;

        public int References { get; set; }
    }
}
