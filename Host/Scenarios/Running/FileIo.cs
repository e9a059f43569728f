using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// The syscalls a scenario makes on files, each as user space makes it: open (lookup and iget),
/// the operation, close (iput). The mounted filesystem is the kernel's guarded view of the plugin's.
/// </summary>
internal static class FileIo
{
    /// <summary>open(path), <paramref name="operation"/> on the inode, close.</summary>
    public static Errno WithOpen(Mount mount, string path, Func<InodeNumber, Errno> operation)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var ino = mount.FileSystem.Files.Lookup(path);
        if (!ino.IsOk)
        {
            return ino.Error;
        }

        var inode = mount.FileSystem.Inodes.Iget(ino.Value);
        if (!inode.IsOk)
        {
            return inode.Error;
        }

        try
        {
            return operation(ino.Value);
        }
        finally
        {
            mount.FileSystem.Inodes.Iput(inode.Value);
        }
    }

    /// <summary>pwrite or pread of a range: the bytes done, or the errno.</summary>
    public static Errno ReadWrite(Mount mount, string path, FileOffset offset, ByteLength length, bool write) =>
        WithOpen(mount, path, ino =>
        {
            var done = write ? mount.FileSystem.Files.Write(ino, offset, length) : mount.FileSystem.Files.Read(ino, offset, length);
            return done.IsOk ? (done.Value.Value == length.Value ? Errno.Ok : Errno.EIO) : done.Error;
        });

    /// <summary>open(O_CREAT|O_EXCL) and close: the new inode.</summary>
    public static ErrnoOr<InodeNumber> Create(Mount mount, string path, FileCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(mount);
        return mount.FileSystem.Files.Create(path, options);
    }
}
