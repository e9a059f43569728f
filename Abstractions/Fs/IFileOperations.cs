namespace DaxHolder.Abstractions.Fs;

/// <summary>uapi/linux/falloc.h: the fallocate mode bits.</summary>
[Flags]
public enum FallocateMode
{
    /// <summary>0: allocate (unwritten extents) and extend the size.</summary>
    Allocate = 0,

    /// <summary>FALLOC_FL_KEEP_SIZE.</summary>
    KeepSize = 0x01,

    /// <summary>FALLOC_FL_PUNCH_HOLE (always with KEEP_SIZE).</summary>
    PunchHole = 0x02,

    /// <summary>FALLOC_FL_COLLAPSE_RANGE.</summary>
    CollapseRange = 0x08,

    /// <summary>FALLOC_FL_ZERO_RANGE.</summary>
    ZeroRange = 0x10,

    /// <summary>FALLOC_FL_INSERT_RANGE.</summary>
    InsertRange = 0x20,

    /// <summary>FALLOC_FL_UNSHARE_RANGE.</summary>
    UnshareRange = 0x40,
}

/// <summary>How a new file is created.</summary>
/// <param name="ExtentSizeHint">An extent-size hint (XFS extsize), e.g. 2 MiB for PMD-aligned extents; null for none.</param>
/// <param name="Dax">FS_XFLAG_DAX on the inode (meaningful under dax=inode); null leaves the filesystem's default.</param>
public sealed record FileCreateOptions(ByteLength? ExtentSizeHint = null, bool? Dax = null)
{
    /// <summary>No hint, the filesystem's default DAX policy.</summary>
    public static FileCreateOptions Default { get; } = new();
}

/// <summary>
/// What stat(2) reports of an inode (struct kstat), as the filesystem knows it (fs/stat.c: vfs_getattr() and the
/// filesystem's -&gt;getattr). The VFS adds STATX_ATTR_DAX from the in-core inode's S_DAX.
/// </summary>
/// <param name="IsDirectory">S_IFDIR rather than S_IFREG.</param>
/// <param name="Size">st_size (i_size).</param>
/// <param name="Blocks">st_blocks: 512-byte units allocated, data and (as the filesystem counts them) its own blocks.</param>
/// <param name="DaxFlag">FS_XFLAG_DAX (XFS_DIFLAG2_DAX, EXT4_DAX_FL): the on-disk wish, which S_DAX follows under dax=inode.</param>
public sealed record FileStat(bool IsDirectory, ByteLength Size, ulong Blocks, bool DaxFlag);

/// <summary>One entry of a directory, in the order getdents(2) returns them ("." and ".." left out).</summary>
/// <param name="Name">The entry's name.</param>
/// <param name="Inode">Its inode.</param>
/// <param name="IsDirectory">DT_DIR rather than DT_REG.</param>
public sealed record DirectoryEntry(string Name, InodeNumber Inode, bool IsDirectory);

/// <summary>
/// The file operations scenarios drive, by path or inode number. Each returns 0 or an errno as the
/// syscall would; after a shutdown every one returns -EIO (fs/xfs/xfs_fsops.c:
/// xfs_do_force_shutdown()). Paths are absolute within the filesystem ("/a").
/// </summary>
public interface IFileOperations
{
    /// <summary>Resolve a path to its inode.</summary>
    ErrnoOr<InodeNumber> Lookup(string path);

    /// <summary>open(O_CREAT|O_EXCL): a new empty regular file.</summary>
    ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options);

    /// <summary>read(2) (-&gt;read_iter): for a DAX file, usually <c>kernel.DaxIomapRw(..., write: false, ...)</c>.</summary>
    ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length);

    /// <summary>write(2) (-&gt;write_iter): allocate as needed, copy through DaxIomapRw, extend i_size.</summary>
    ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length);

    /// <summary>fallocate(2): allocate, punch, zero or unshare a range.</summary>
    Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length);

    /// <summary>ioctl(FICLONE): make <paramref name="destination"/> share all of <paramref name="source"/>'s blocks. -EOPNOTSUPP without reflink.</summary>
    Errno Clone(InodeNumber source, InodeNumber destination);

    /// <summary>ioctl(FICLONERANGE): share a range. -EOPNOTSUPP without reflink.</summary>
    Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length);

    /// <summary>truncate(2): set the size, freeing blocks past it.</summary>
    Errno Truncate(InodeNumber inode, ByteLength size);

    /// <summary>unlink(2): remove the name; the blocks are freed when the inode's last reference goes.</summary>
    Errno Unlink(string path);

    /// <summary>
    /// setxattr(2) with a value of <paramref name="valueLength"/> bytes (its contents do not matter
    /// to the model): creates or replaces the attribute. The VFS refuses a name over
    /// XATTR_NAME_MAX (255) with -ERANGE and a value over XATTR_SIZE_MAX (64 KiB) with -E2BIG; a
    /// filesystem that cannot hold it says -ENOSPC. A filesystem without xattr handlers gives
    /// -EOPNOTSUPP, as this default does.
    /// </summary>
    Errno SetXattr(InodeNumber inode, string name, ByteLength valueLength) => Errno.EOPNOTSUPP;

    /// <summary>removexattr(2): -ENODATA if the attribute does not exist; -EOPNOTSUPP by default.</summary>
    Errno RemoveXattr(InodeNumber inode, string name) => Errno.EOPNOTSUPP;

    /// <summary>
    /// mkdir(2) (-&gt;mkdir): a new empty directory whose parent exists. A filesystem without
    /// directories refuses with -EPERM, as fs/namei.c: vfs_mkdir() does when there is no -&gt;mkdir.
    /// </summary>
    Errno Mkdir(string path) => Errno.EPERM;

    /// <summary>getdents(2) of a directory: its entries in the filesystem's order; -ENOTDIR for a file.</summary>
    ErrnoOr<IReadOnlyList<DirectoryEntry>> ReadDir(string path) => ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(Errno.EOPNOTSUPP, "the filesystem does not list directories");

    /// <summary>-&gt;getattr: type, size, blocks and FS_XFLAG_DAX of an inode (files and directories).</summary>
    ErrnoOr<FileStat> GetAttr(InodeNumber inode) => ErrnoOr<FileStat>.Fail(Errno.EOPNOTSUPP, "the filesystem does not report attributes");

    /// <summary>
    /// FS_IOC_FSSETXATTR changing FS_XFLAG_DAX (-&gt;fileattr_set). Under dax=inode, a change on a
    /// regular file marks the inode I_DONTCACHE (<see cref="CachedInode.DontCache"/>, fs/dcache.c:
    /// d_mark_dontcache()), so its S_DAX changes only when it is next read into core; on a
    /// directory the flag is what new children inherit. Without -&gt;fileattr_set the ioctl is
    /// -ENOTTY, as this default says.
    /// </summary>
    Errno SetDaxFlag(InodeNumber inode, bool dax) => Errno.ENOTTY;

    /// <summary>
    /// fsync(2) after the VFS wrote back the file's dirty pages or DAX entries: the filesystem's own
    /// part (a log force), -EIO once it is shut down. The default has nothing to force.
    /// </summary>
    Errno Fsync(InodeNumber inode) => Errno.Ok;
}
