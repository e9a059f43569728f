using DaxHolder.Abstractions;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>fs/xattr.c and xfs_xattr.c: setxattr and removexattr (the VFS limits, then xfs_attr_change).</summary>
internal sealed partial class XfsFileOperations
{
    /// <summary>
    /// setxattr(2): -ERANGE for a name that is empty or over XATTR_NAME_MAX, -E2BIG for a value
    /// over XATTR_SIZE_MAX (fs/xattr.c), -EIO after a shutdown; then xfs_attr_set lays out the
    /// attr fork (<see cref="XfsAttr"/>).
    /// </summary>
    public Errno SetXattr(InodeNumber inode, string name, ByteLength valueLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > XfsAttr.NameMax)
        {
            return Errno.ERANGE;
        }

        if (valueLength.Value > XfsAttr.SizeMax)
        {
            return Errno.E2BIG;
        }

        var file = mount.Cache.Grab(inode.Value);
        if (!file.IsOk)
        {
            return file.Error;
        }

        var set = mount.Attr.Set(file.Value.Dinode, name, valueLength.Value);
        return set.IsOk ? Errno.Ok : set.Error;
    }

    /// <summary>removexattr(2): -ENODATA if absent, -EIO after a shutdown.</summary>
    public Errno RemoveXattr(InodeNumber inode, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var file = mount.Cache.Grab(inode.Value);
        return file.IsOk ? mount.Attr.Remove(file.Value.Dinode, name) : file.Error;
    }
}
