using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace MyFs;

/// <summary>
/// What mkfs leaves on the device and file operations change, kept by the host between mounts:
/// block 0 the superblock, then the block bitmap, the inode table (16 inodes of 256 bytes per
/// block) and the root directory's block; data blocks after them. One block is one page (DAX
/// needs it). Files live in the root directory; each is a list of extents.
/// </summary>
internal sealed class MyFsImage : IFileSystemImage
{
    /// <summary>The block size: PAGE_SIZE.</summary>
    public const ulong BlockSize = PageGeometry.PageSize;

    /// <summary>The root directory's inode number.</summary>
    public static readonly InodeNumber Root = new(1);

    private const ulong InodesPerBlock = BlockSize / 256;
    private readonly bool[] used;
    private readonly SortedDictionary<ulong, MyFsInodeData> inodes = [];

    private MyFsImage(IBlockDevice device, ulong blocks, ulong inodeCount)
    {
        Device = device;
        Blocks = blocks;
        InodeCount = inodeCount;
        BitmapBlocks = (blocks + (BlockSize * 8) - 1) / (BlockSize * 8);
        InodeTableStart = 1 + BitmapBlocks;
        InodeTableBlocks = inodeCount / InodesPerBlock;
        RootDirBlock = InodeTableStart + InodeTableBlocks;
        FirstDataBlock = RootDirBlock + 1;
        used = new bool[blocks];
        Array.Fill(used, true, 0, (int)FirstDataBlock);
    }

    public string FileSystemType => "myfs";

    public IBlockDevice Device { get; }

    public IBlockDevice? LogDevice => null;

    public IBlockDevice? RealtimeDevice => null;

    /// <summary>The device's size in blocks.</summary>
    public ulong Blocks { get; }

    /// <summary>How many inodes the table holds (inode 0 unused, 1 the root directory).</summary>
    public ulong InodeCount { get; }

    /// <summary>Blocks of the bitmap, from block 1.</summary>
    public ulong BitmapBlocks { get; }

    /// <summary>The inode table's first block.</summary>
    public ulong InodeTableStart { get; }

    /// <summary>The inode table's length in blocks.</summary>
    public ulong InodeTableBlocks { get; }

    /// <summary>The root directory's block.</summary>
    public ulong RootDirBlock { get; }

    /// <summary>The first block files may use.</summary>
    public ulong FirstDataBlock { get; }

    /// <summary>The root directory: name to inode.</summary>
    public SortedDictionary<string, InodeNumber> RootEntries { get; } = new(StringComparer.Ordinal);

    /// <summary>The files' inodes, in inode-number order.</summary>
    public IEnumerable<MyFsInodeData> Inodes => inodes.Values;

    /// <summary>
    /// mkfs.myfs [-o inodes=N]: the layout for the device; -EINVAL for an unknown option, a bad
    /// inode count or a device too small to hold the metadata and one data block.
    /// </summary>
    public static ErrnoOr<MyFsImage> Mkfs(IBlockDevice device, FsOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Unknown("inodes") is [var unknown, ..])
        {
            return ErrnoOr<MyFsImage>.Fail(Errno.EINVAL, $"myfs: unknown mkfs option '{unknown}' (known: inodes=N)");
        }

        var inodeCount = 1024UL;
        if (options.Get("inodes") is { } text
            && (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out inodeCount) || inodeCount < 16 || inodeCount > 65536 || inodeCount % InodesPerBlock != 0))
        {
            return ErrnoOr<MyFsImage>.Fail(Errno.EINVAL, $"myfs: inodes={text}: give a multiple of {InodesPerBlock} from 16 to 65536");
        }

        var blocks = device.Size.Value / BlockSize;
        var metadata = 1 + ((blocks + (BlockSize * 8) - 1) / (BlockSize * 8)) + (inodeCount / InodesPerBlock) + 1;
        if (blocks <= metadata || blocks > int.MaxValue)
        {
            return ErrnoOr<MyFsImage>.Fail(Errno.EINVAL, $"myfs: {device.Name} has {blocks} blocks; it needs more than {metadata} and fewer than 2^31");
        }

        return ErrnoOr<MyFsImage>.Ok(new MyFsImage(device, blocks, inodeCount));
    }

    /// <summary>Where block <paramref name="block"/> lies on the disk (the partition's start included).</summary>
    public DeviceOffset OffsetOf(ulong block) => Device.Start.Add(new ByteLength(block * BlockSize));

    /// <summary>The inode, or null if it is not in use.</summary>
    public MyFsInodeData? Find(InodeNumber inode) => inodes.GetValueOrDefault(inode.Value);

    /// <summary>A new regular file's inode: the lowest free number; -ENOSPC when the table is full.</summary>
    public ErrnoOr<MyFsInodeData> NewInode(bool daxFlag)
    {
        for (var n = Root.Value + 1; n < InodeCount; n++)
        {
            if (!inodes.ContainsKey(n))
            {
                var data = new MyFsInodeData(new InodeNumber(n)) { DaxFlag = daxFlag };
                inodes[n] = data;
                return ErrnoOr<MyFsInodeData>.Ok(data);
            }
        }

        return ErrnoOr<MyFsInodeData>.Fail(Errno.ENOSPC, "myfs: no free inode");
    }

    /// <summary>Frees an inode whose blocks are already freed.</summary>
    public void FreeInode(InodeNumber inode) => inodes.Remove(inode.Value);

    /// <summary>
    /// Up to <paramref name="wanted"/> contiguous free blocks: the first free run at or after
    /// <paramref name="goal"/> (next to the file's previous extent, so a file grows in place),
    /// else the first from the start of the data area; null when the device is full.
    /// </summary>
    public (ulong Start, ulong Count)? Allocate(ulong goal, ulong wanted)
    {
        goal = Math.Clamp(goal, FirstDataBlock, Blocks - 1);
        var start = FirstFree(goal, Blocks) ?? FirstFree(FirstDataBlock, goal);
        if (start is not { } s)
        {
            return null;
        }

        var count = 0UL;
        while (count < wanted && s + count < Blocks && !used[s + count])
        {
            used[s + count] = true;
            count++;
        }

        return (s, count);
    }

    /// <summary>Frees [start, start+count).</summary>
    public void Free(ulong start, ulong count) => Array.Fill(used, false, (int)start, (int)count);

    /// <summary>Whether a block is allocated (metadata or file data).</summary>
    public bool IsUsed(ulong block) => used[block];

    private ulong? FirstFree(ulong from, ulong to)
    {
        for (var b = from; b < to; b++)
        {
            if (!used[b])
            {
                return b;
            }
        }

        return null;
    }
}

/// <summary>One extent: file blocks [Logical, Logical+Length) at disk blocks [Physical, Physical+Length).</summary>
/// <param name="Logical">The first file block.</param>
/// <param name="Physical">The first disk block.</param>
/// <param name="Length">Blocks.</param>
/// <param name="Unwritten">Allocated by fallocate, not yet written: reads as zeroes.</param>
internal readonly record struct MyFsExtent(ulong Logical, ulong Physical, ulong Length, bool Unwritten)
{
    /// <summary>The file block past the extent.</summary>
    public ulong End => Logical + Length;

    /// <summary>The part of the extent inside file blocks [from, to), or null.</summary>
    public MyFsExtent? Clip(ulong from, ulong to)
    {
        var start = Math.Max(from, Logical);
        var end = Math.Min(to, End);
        return start < end ? this with { Logical = start, Physical = Physical + (start - Logical), Length = end - start } : null;
    }
}

/// <summary>An on-media inode: its size, DAX flag and extent list (in file order, never overlapping).</summary>
/// <param name="number">The inode number.</param>
internal sealed class MyFsInodeData(InodeNumber number)
{
    private readonly List<MyFsExtent> extents = [];

    /// <summary>The inode number.</summary>
    public InodeNumber Number { get; } = number;

    /// <summary>i_size.</summary>
    public ulong Size { get; set; }

    /// <summary>The per-file DAX flag (FS_XFLAG_DAX), used under dax=inode.</summary>
    public bool DaxFlag { get; init; }

    /// <summary>The extents, in file order.</summary>
    public IReadOnlyList<MyFsExtent> Extents => extents;

    /// <summary>The extent holding file block <paramref name="block"/>, or null (a hole).</summary>
    public MyFsExtent? Find(ulong block) => extents.FirstOrDefault(e => e.Logical <= block && block < e.End) is { Length: > 0 } e ? e : null;

    /// <summary>The first mapped file block after <paramref name="block"/>, or null.</summary>
    public ulong? NextMappedAfter(ulong block) => extents.FirstOrDefault(e => e.Logical > block) is { Length: > 0 } e ? e.Logical : null;

    /// <summary>The disk block after the extent before <paramref name="block"/>: where the file would grow in place.</summary>
    public ulong? GoalFor(ulong block) => extents.LastOrDefault(e => e.Logical <= block) is { Length: > 0 } e ? e.Physical + e.Length : null;

    /// <summary>Adds an extent over a hole, merged with a neighbour that continues it on disk.</summary>
    public void Insert(MyFsExtent extent)
    {
        var at = extents.FindIndex(e => e.Logical > extent.Logical);
        at = at < 0 ? extents.Count : at;
        extents.Insert(at, extent);
        if (at + 1 < extents.Count && Continues(extents[at], extents[at + 1]))
        {
            extents[at] = extents[at] with { Length = extents[at].Length + extents[at + 1].Length };
            extents.RemoveAt(at + 1);
        }

        if (at > 0 && Continues(extents[at - 1], extents[at]))
        {
            extents[at - 1] = extents[at - 1] with { Length = extents[at - 1].Length + extents[at].Length };
            extents.RemoveAt(at);
        }
    }

    /// <summary>Takes file blocks [from, to) out of the extent list and returns the disk runs they held.</summary>
    public List<MyFsExtent> Remove(ulong from, ulong to)
    {
        var removed = new List<MyFsExtent>();
        for (var i = 0; i < extents.Count; i++)
        {
            var e = extents[i];
            if (e.Clip(from, to) is not { } cut)
            {
                continue;
            }

            removed.Add(cut);
            var pieces = new[] { e.Clip(e.Logical, from), e.Clip(to, e.End) }.OfType<MyFsExtent>().ToList();
            extents.RemoveAt(i);
            extents.InsertRange(i, pieces);
            i += pieces.Count - 1;
        }

        return removed;
    }

    /// <summary>Marks file blocks [from, to) of an unwritten extent written (the extent is split around them).</summary>
    public MyFsExtent MarkWritten(MyFsExtent unwritten, ulong from, ulong to)
    {
        var written = unwritten.Clip(from, to)!.Value with { Unwritten = false };
        var at = extents.IndexOf(unwritten);
        var pieces = new[] { unwritten.Clip(unwritten.Logical, from), written, unwritten.Clip(to, unwritten.End) }.OfType<MyFsExtent>().ToList();
        extents.RemoveAt(at);
        extents.InsertRange(at, pieces);
        return written;
    }

    private static bool Continues(MyFsExtent first, MyFsExtent next) =>
        first.End == next.Logical && first.Physical + first.Length == next.Physical && first.Unwritten == next.Unwritten;
}
