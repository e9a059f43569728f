namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// libxfs/xfs_format.h: XFS_RMAP_OWN_*, the special (non-inode) rmap owners. They are small
/// negative numbers, so bit 63 is set (XFS_RMAP_NON_INODE_OWNER) and they sort after every inode.
/// </summary>
internal static class XfsRmapOwner
{
    /// <summary>XFS_RMAP_OWN_NULL (-1).</summary>
    public const ulong Null = unchecked((ulong)-1L);

    /// <summary>XFS_RMAP_OWN_UNKNOWN (-2).</summary>
    public const ulong Unknown = unchecked((ulong)-2L);

    /// <summary>XFS_RMAP_OWN_FS (-3): the static AG headers (sb, AGF, AGI, AGFL).</summary>
    public const ulong Fs = unchecked((ulong)-3L);

    /// <summary>XFS_RMAP_OWN_LOG (-4): the internal log.</summary>
    public const ulong Log = unchecked((ulong)-4L);

    /// <summary>XFS_RMAP_OWN_AG (-5): free-space btrees, the rmapbt itself and the AGFL's blocks.</summary>
    public const ulong Ag = unchecked((ulong)-5L);

    /// <summary>XFS_RMAP_OWN_INOBT (-6): inobt and finobt blocks.</summary>
    public const ulong Inobt = unchecked((ulong)-6L);

    /// <summary>XFS_RMAP_OWN_INODES (-7): inode chunks.</summary>
    public const ulong Inodes = unchecked((ulong)-7L);

    /// <summary>XFS_RMAP_OWN_REFC (-8): refcount btree blocks.</summary>
    public const ulong Refc = unchecked((ulong)-8L);

    /// <summary>XFS_RMAP_OWN_COW (-9): copy-on-write staging extents.</summary>
    public const ulong Cow = unchecked((ulong)-9L);

    /// <summary>XFS_RMAP_NON_INODE_OWNER(owner): bit 63 set.</summary>
    public static bool IsNonInode(ulong owner) => (owner & (1UL << 63)) != 0;

    /// <summary>The owner's name in reports: the contract's metadata kinds ("fs", "log", "ag", ...).</summary>
    public static string Name(ulong owner) => owner switch
    {
        Fs => "fs",
        Log => "log",
        Ag => "ag",
        Inobt => "inobt",
        Inodes => "inodes",
        Refc => "refc",
        Cow => "cow",
        Unknown => "unknown",
        Null => "null",
        _ => owner.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
