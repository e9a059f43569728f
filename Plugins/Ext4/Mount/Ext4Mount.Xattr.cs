using DaxHolder.Abstractions;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>setxattr and removexattr (fs/xattr.c's limits, then fs/ext4/xattr.c through <see cref="Ext4Xattr"/>).</summary>
internal sealed partial class Ext4Mount
{
    /// <summary>
    /// setxattr(2): -ERANGE for an empty name or one over XATTR_NAME_MAX, -E2BIG for a value over
    /// XATTR_SIZE_MAX, -EOPNOTSUPP for a prefix ext4 has no handler for; -EIO after a panic or
    /// shutdown, -EROFS once read-only; then the inode body or the external block.
    /// </summary>
    public Errno SetXattr(InodeNumber inode, string name, ByteLength valueLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 255)
        {
            return Errno.ERANGE;
        }

        if (valueLength.Value > 65536)
        {
            return Errno.E2BIG;
        }

        if (Ext4Xattr.StoredNameLength(name) is null)
        {
            return Errno.EOPNOTSUPP;
        }

        if (Refused() is { } refused)
        {
            return refused;
        }

        var held = inodes.Grab(inode);
        if (!held.IsOk)
        {
            return held.Error;
        }

        var data = held.Value.Data;
        var goal = image.Geometry.FirstBlockOf(data.GroupOf(image.Geometry.InodesPerGroup));
        return Ext4Xattr.Set(data, name, valueLength.Value, () => allocator.AllocateMeta(goal), block => allocator.Free(block, 1));
    }

    /// <summary>removexattr(2): -ENODATA if absent; the external block is freed with its last attribute.</summary>
    public Errno RemoveXattr(InodeNumber inode, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Refused() is { } refused)
        {
            return refused;
        }

        var held = inodes.Grab(inode);
        return held.IsOk ? Ext4Xattr.Remove(held.Value.Data, name, block => allocator.Free(block, 1)) : held.Error;
    }
}
