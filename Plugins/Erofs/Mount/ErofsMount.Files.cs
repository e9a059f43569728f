using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>
/// The file operations on a read-only filesystem: lookup and read work; every change fails with
/// -EROFS, which the VFS returns before EROFS is asked (mnt_want_write on an SB_RDONLY
/// superblock: open(O_CREAT), write(2) on an O_WRONLY open, truncate, fallocate, unlink, and
/// FICLONE / FICLONERANGE onto it).
/// </summary>
internal sealed partial class ErofsMount : IFileOperations
{
    public ErrnoOr<InodeNumber> Lookup(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "/")
        {
            return ErrnoOr<InodeNumber>.Ok(image.Root.Nid);
        }

        return path.Length > 1 && path[0] == '/' && image.RootEntries.TryGetValue(path[1..], out var nid)
            ? ErrnoOr<InodeNumber>.Ok(nid)
            : ErrnoOr<InodeNumber>.Fail(Errno.ENOENT, $"{path}: no such file (the model keeps files in the root directory)");
    }

    /// <summary>open(O_CREAT): -EROFS.</summary>
    public ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options) => ErrnoOr<InodeNumber>.Fail(Errno.EROFS, $"erofs: {path}: read-only filesystem");

    /// <summary>erofs_file_read_iter: dax_iomap_rw with erofs_iomap_ops for a DAX inode; otherwise the page cache (not modelled: the length up to i_size).</summary>
    public ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<ByteLength>.Fail(Errno.EIO);
        }

        var held = inodes.Grab(inode);
        if (!held.IsOk)
        {
            return ErrnoOr<ByteLength>.Fail(held.Error, held.Message);
        }

        var file = held.Value;
        file.References++;
        try
        {
            return file.Mapping.IsDax
                ? kernel.DaxIomapRw(file, position, length, write: false, this)
                : ErrnoOr<ByteLength>.Ok(new ByteLength(position.Value >= file.Data.Size ? 0 : Math.Min(length.Value, file.Data.Size - position.Value)));
        }
        finally
        {
            file.References--;
        }
    }

    public ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length) => ErrnoOr<ByteLength>.Fail(Errno.EROFS, "erofs: read-only filesystem");

    public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length) => Errno.EROFS;

    public Errno Clone(InodeNumber source, InodeNumber destination) => Errno.EROFS;

    public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length) => Errno.EROFS;

    public Errno Truncate(InodeNumber inode, ByteLength size) => Errno.EROFS;

    public Errno Unlink(string path) => Errno.EROFS;

    /// <summary>setxattr on a read-only mount: mnt_want_write refuses it in the VFS (fs/xattr.c) before any handler runs.</summary>
    public Errno SetXattr(InodeNumber inode, string name, ByteLength valueLength) => Errno.EROFS;

    /// <summary>removexattr on a read-only mount: -EROFS from mnt_want_write, as for setxattr.</summary>
    public Errno RemoveXattr(InodeNumber inode, string name) => Errno.EROFS;
}
