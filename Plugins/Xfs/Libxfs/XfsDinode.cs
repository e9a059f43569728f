namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// An inode as it is on the media (libxfs/xfs_inode_buf.c: struct xfs_dinode, reduced): its
/// type, size, link count, data fork, CoW fork, attr fork, bmbt blocks, extent-size hint and the
/// DAX (XFS_DIFLAG2_DAX) and REFLINK (XFS_DIFLAG2_REFLINK) flags. A directory is short-form
/// (its entries live in the inode, so it owns no blocks).
/// </summary>
internal sealed class XfsDinode(ulong ino, bool isDirectory, int agBlkLog)
{
    /// <summary>The inode number.</summary>
    public ulong Ino { get; } = ino;

    /// <summary>S_ISDIR.</summary>
    public bool IsDirectory { get; } = isDirectory;

    /// <summary>di_size.</summary>
    public ulong Size { get; set; }

    /// <summary>di_nlink.</summary>
    public uint Nlink { get; set; } = 1;

    /// <summary>The data fork's extents.</summary>
    public ExtentMap DataFork { get; } = new(agBlkLog);

    /// <summary>The CoW fork: staging extents (unwritten while only preallocated).</summary>
    public ExtentMap CowFork { get; } = new(agBlkLog);

    /// <summary>The attr fork's blocks: a leaf at block 0 and remote values after it (empty while the attributes are short form).</summary>
    public ExtentMap AttrFork { get; } = new(agBlkLog);

    /// <summary>The extended attributes: name to value length (the values' contents are not kept).</summary>
    public SortedDictionary<string, ulong> Xattrs { get; } = new(StringComparer.Ordinal);

    /// <summary>The fsbnos of the data fork's bmbt blocks, once it has too many extents for the inode.</summary>
    public List<ulong> BmbtBlocks { get; } = [];

    /// <summary>di_extsize in blocks (XFS_DIFLAG_EXTSIZE), or 0.</summary>
    public ulong ExtentSizeHint { get; set; }

    /// <summary>XFS_DIFLAG2_DAX: FS_XFLAG_DAX, which decides S_DAX under dax=inode.</summary>
    public bool DaxFlag { get; set; }

    /// <summary>XFS_DIFLAG2_REFLINK: the inode has (or had) shared blocks.</summary>
    public bool Reflink { get; set; }

    /// <summary>A directory's entries (name to inode number).</summary>
    public SortedDictionary<string, ulong> Entries { get; } = new(StringComparer.Ordinal);

    public override string ToString() => $"ino {Ino}";
}
