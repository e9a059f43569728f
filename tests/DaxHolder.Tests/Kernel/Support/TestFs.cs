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

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request)
    {
        TestFsFaults.At("mkfs", null);
        return ErrnoOr<IFileSystemImage>.Ok(new TestFsImage(request.Device));
    }

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request)
    {
        TestFsFaults.At("mount", request.Kernel);
        return ErrnoOr<IMountedFileSystem>.Ok(new TestFs((TestFsImage)request.Image, request.SuperBlock, request.Kernel, request.Options.Has("holder")));
    }
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

internal sealed partial class TestFs : IMountedFileSystem, IFileOperations, IInodeCache, IIomapOps, IReverseMap, IDaxHolderOperations
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
        TestFsFaults.At("unmount", kernel);
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

    private sealed class TestInode(TestFile file, IAddressSpace mapping) : IInode
    {
        public InodeNumber Number => file.Number;

        public ByteLength Size => new(file.Size);

        public IAddressSpace Mapping { get; } = mapping;

        public int ReferenceCount => References;

        public int References { get; set; }
    }
}
