using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Plugins.Erofs.Format;

/// <summary>
/// What mkfs.erofs left on the device: the superblock at byte 1024, the inodes and directories in
/// the metadata area, and the data. Read-only: nothing changes it after mkfs. The model keeps one
/// flat root directory; files live in it.
/// </summary>
internal sealed class ErofsImage(IBlockDevice device, ErofsMkfsOptions options) : IFileSystemImage
{
    /// <summary>EROFS_SUPER_OFFSET.</summary>
    public const ulong SuperBlockOffset = 1024;

    /// <summary>sizeof(struct erofs_super_block): 128 bytes (no extension slots).</summary>
    public const ulong SuperBlockSize = 128;

    private readonly SortedDictionary<ulong, ErofsInodeData> inodes = [];

    public string FileSystemType => "erofs";

    public IBlockDevice Device { get; } = device;

    public IBlockDevice? LogDevice => null;

    public IBlockDevice? RealtimeDevice => null;

    /// <summary>The mkfs options.</summary>
    public ErofsMkfsOptions Options { get; } = options;

    /// <summary>The root directory's entries: name to nid.</summary>
    public SortedDictionary<string, InodeNumber> RootEntries { get; } = new(StringComparer.Ordinal);

    /// <summary>The root directory's inode.</summary>
    public ErofsInodeData Root { get; private set; } = null!;

    /// <summary>The root directory's dirent blocks (beyond the inline tail): first block and count.</summary>
    public (ulong Start, ulong Count) RootDirBlocks { get; set; }

    /// <summary>sb->blocks: the image's length in blocks.</summary>
    public ulong Blocks { get; set; }

    /// <summary>Every inode, by nid.</summary>
    public IEnumerable<ErofsInodeData> Inodes => inodes.Values;

    /// <summary>An inode by nid, or null.</summary>
    public ErofsInodeData? Find(InodeNumber nid) => inodes.GetValueOrDefault(nid.Value);

    /// <summary>Records an inode (the root once, then the files).</summary>
    public void Add(ErofsInodeData inode)
    {
        inodes[inode.Nid.Value] = inode;
        if (inode.IsDirectory)
        {
            Root = inode;
        }
        else
        {
            RootEntries[inode.Path[1..]] = inode.Nid;
        }
    }

    /// <summary>The disk offset of an image byte (the device may be a partition).</summary>
    public DeviceOffset OffsetOf(ulong position) => Device.Start.Add(new ByteLength(position));
}
