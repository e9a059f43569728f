using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Fs;

/// <summary>
/// fs/file.c: a process's open files (struct files_struct): fd to struct file. A new file takes
/// the lowest free fd (fds 0 to 2 are the standard streams); an open file holds its inode in core;
/// fork() copies the table (dup_fd: each file gains a reference) and exit closes every fd
/// (exit_files -&gt; close_files).
/// </summary>
internal sealed class FdTable
{
    private const int FirstFree = 3;
    private readonly SortedDictionary<int, OpenFile> files = [];

    /// <summary>The open fds, ascending.</summary>
    public IReadOnlyCollection<int> Fds => files.Keys;

    /// <summary>fd_install() at the lowest free fd.</summary>
    public int Install(OpenFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var fd = FirstFree;
        while (files.ContainsKey(fd))
        {
            fd++;
        }

        files[fd] = file;
        return fd;
    }

    /// <summary>The file behind <paramref name="fd"/>, or null (-EBADF).</summary>
    public OpenFile? Get(int fd) => files.GetValueOrDefault(fd);

    /// <summary>close(2): 0, or -EBADF for an fd that is not open.</summary>
    public Errno Close(int fd)
    {
        if (!files.Remove(fd, out var file))
        {
            return Errno.EBADF;
        }

        Mm.Mmap.Release(file);
        return Errno.Ok;
    }

    /// <summary>close_files(): every fd, in fd order.</summary>
    public void CloseAll()
    {
        foreach (var fd in files.Keys.ToList())
        {
            Close(fd);
        }
    }

    /// <summary>dup_fd(): the child's copy; every file gains a reference.</summary>
    public FdTable Dup()
    {
        var copy = new FdTable();
        foreach (var (fd, file) in files)
        {
            file.References++;
            copy.files[fd] = file;
        }

        return copy;
    }
}
