using DaxHolder.Abstractions;

namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// fs/ext4/xattr.c, reduced to where attributes take space: an attribute goes in the inode body
/// (the 96 bytes after i_extra_isize in a 256-byte inode, less the 4-byte magic) if it fits,
/// otherwise in the one external block (i_file_acl), allocated at the first free block of the
/// inode's group (ext4_xattr_block_set's goal) and freed when its last attribute goes. Without
/// the ea_inode feature (off by default) a value that fits in neither gives -ENOSPC. Identical
/// blocks are not shared between inodes (mbcache), and the values' contents are not kept.
/// </summary>
internal static class Ext4Xattr
{
    /// <summary>EXT4_GOOD_OLD_INODE_SIZE + i_extra_isize (32) taken from a 256-byte inode, less the ibody header's magic.</summary>
    private const int IbodySpace = 256 - 128 - 32 - 4;

    /// <summary>A block less struct ext4_xattr_header (32 bytes).</summary>
    private const int BlockSpace = (int)Ext4Geometry.BlockSize - 32;

    /// <summary>The name prefixes ext4 has handlers for (ext4_xattr_handler_map); the entry stores the name without them.</summary>
    private static readonly string[] Prefixes = ["user.", "trusted.", "security.", "system."];

    /// <summary>The stored name's length, or null when no handler takes the prefix (the VFS's -EOPNOTSUPP).</summary>
    public static int? StoredNameLength(string name) =>
        Prefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal) && name.Length > p.Length) is { } prefix ? name.Length - prefix.Length : null;

    /// <summary>
    /// ext4_xattr_set_handle for a new value: the old one (if any) goes first; then the inode body
    /// if it has room, else the external block (allocated through <paramref name="allocate"/>),
    /// else -ENOSPC and nothing changes. A block left with no attribute is freed.
    /// </summary>
    public static Errno Set(Ext4InodeData inode, string name, ulong length, Func<ulong?> allocate, Action<ulong> free)
    {
        ArgumentNullException.ThrowIfNull(inode);
        ArgumentNullException.ThrowIfNull(allocate);
        var previous = inode.Xattrs.TryGetValue(name, out var old) ? old : ((ulong, bool)?)null;
        inode.Xattrs.Remove(name);
        if (Used(inode, inBlock: false) + Entry(name, length) + 4 <= IbodySpace)
        {
            inode.Xattrs[name] = (length, false);
            ReleaseIfEmpty(inode, free);
            return Errno.Ok;
        }

        if (Used(inode, inBlock: true) + Entry(name, length) + 4 <= BlockSpace)
        {
            if (inode.XattrBlock is null && allocate() is { } block)
            {
                inode.XattrBlock = block;
            }

            if (inode.XattrBlock is not null)
            {
                inode.Xattrs[name] = (length, true);
                return Errno.Ok;
            }
        }

        if (previous is { } value)
        {
            inode.Xattrs[name] = value;
        }

        return Errno.ENOSPC;
    }

    /// <summary>ext4_xattr_set_handle with no value: -ENODATA if absent; the block is released with its last attribute.</summary>
    public static Errno Remove(Ext4InodeData inode, string name, Action<ulong> free)
    {
        ArgumentNullException.ThrowIfNull(inode);
        if (!inode.Xattrs.Remove(name))
        {
            return Errno.ENODATA;
        }

        ReleaseIfEmpty(inode, free);
        return Errno.Ok;
    }

    /// <summary>ext4_xattr_delete_inode at eviction: the external block goes with the inode.</summary>
    public static void Drop(Ext4InodeData inode, Action<ulong> free)
    {
        ArgumentNullException.ThrowIfNull(inode);
        inode.Xattrs.Clear();
        ReleaseIfEmpty(inode, free);
    }

    private static void ReleaseIfEmpty(Ext4InodeData inode, Action<ulong> free)
    {
        if (inode.XattrBlock is { } block && !inode.Xattrs.Values.Any(v => v.InBlock))
        {
            inode.XattrBlock = null;
            free(block);
        }
    }

    /// <summary>EXT4_XATTR_LEN(name) + EXT4_XATTR_SIZE(value): the entry (16 bytes and the name) and the value, each 4-byte aligned.</summary>
    private static long Entry(string name, ulong length) =>
        RoundUp4(16 + (StoredNameLength(name) ?? name.Length)) + RoundUp4((long)Math.Min(length, int.MaxValue));

    private static long Used(Ext4InodeData inode, bool inBlock) =>
        inode.Xattrs.Where(a => a.Value.InBlock == inBlock).Sum(a => Entry(a.Key, a.Value.Length));

    private static long RoundUp4(long n) => (n + 3) / 4 * 4;
}
