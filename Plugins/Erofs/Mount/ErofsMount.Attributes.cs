using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Erofs.Format;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>getdents, getattr, and the changes a read-only filesystem refuses (fs/erofs/dir.c, inode.c).</summary>
internal sealed partial class ErofsMount
{
    /// <summary>mkdir(2): -EROFS from mnt_want_write before EROFS is asked.</summary>
    public Errno Mkdir(string path) => Errno.EROFS;

    /// <summary>FS_IOC_FSSETXATTR: -EROFS from mnt_want_write_file (fs/ioctl.c: ioctl_fssetxattr()).</summary>
    public Errno SetDaxFlag(InodeNumber inode, bool dax) => Errno.EROFS;

    /// <summary>erofs_readdir of the root (the model's images hold one directory).</summary>
    public ErrnoOr<IReadOnlyList<DirectoryEntry>> ReadDir(string path)
    {
        var dir = Lookup(path);
        if (!dir.IsOk)
        {
            return ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(dir.Error, dir.Message);
        }

        return dir.Value == image.Root.Nid
            ? ErrnoOr<IReadOnlyList<DirectoryEntry>>.Ok([.. image.RootEntries.Select(e => new DirectoryEntry(e.Key, e.Value, image.Find(e.Value)?.IsDirectory ?? false))])
            : ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(Errno.ENOTDIR, $"erofs: '{path}' is not a directory");
    }

    /// <summary>
    /// erofs_getattr -&gt; generic_fillattr: i_blocks as erofs_read_inode sets it, i_size rounded up
    /// to blocks for an uncompressed inode, the physical clusters for a compressed one. EROFS has
    /// no FS_XFLAG_DAX.
    /// </summary>
    public ErrnoOr<FileStat> GetAttr(InodeNumber inode)
    {
        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<FileStat>.Fail(Errno.ENOENT, $"erofs: nid {inode} is not an inode");
        }

        var blocks = data.IsCompressed ? (ulong)data.Pclusters.Distinct().Count() : (data.Size + ErofsMkfsOptions.BlockSize - 1) / ErofsMkfsOptions.BlockSize;
        return ErrnoOr<FileStat>.Ok(new FileStat(data.IsDirectory, new ByteLength(data.Size), blocks * (ErofsMkfsOptions.BlockSize / 512), DaxFlag: false));
    }
}
