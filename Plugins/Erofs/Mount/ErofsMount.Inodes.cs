using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>
/// The inode cache (fs/inode.c with erofs_iget), the contract's <see cref="InodeCache{TInode}"/>:
/// a regular file is in core while referenced and after its last iput until pruned (drop_caches)
/// or unmounted; a mount starts with none. Nothing is ever unlinked on a read-only filesystem, so
/// an inode only leaves core by eviction.
/// </summary>
internal sealed partial class ErofsMount
{
    private readonly InodeCache<ErofsInode> inodes;

    /// <summary>
    /// erofs_iget/erofs_read_inode: -EISDIR for the root directory, -ENOENT for an unused nid.
    /// S_DAX is cleared, then set for a regular file under dax=always whose layout DAX can map
    /// (<see cref="DaxMappable"/>).
    /// </summary>
    private ErrnoOr<ErofsInode> ReadInode(InodeNumber inode)
    {
        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<ErofsInode>.Fail(Errno.ENOENT, $"erofs: no inode with nid {inode}");
        }

        if (data.IsDirectory)
        {
            return ErrnoOr<ErofsInode>.Fail(Errno.EISDIR, $"erofs: nid {inode} is the root directory");
        }

        var dax = daxAlways && DaxMappable(data.Layout, kernel.Profile);
        return ErrnoOr<ErofsInode>.Ok(new ErofsInode(data, kernel.InitInodeMapping(SuperBlock, inode, dax)));
    }
}
