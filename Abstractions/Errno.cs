namespace DaxHolder.Abstractions;

/// <summary>
/// Linux errnos by name, with the values of include/uapi/asm-generic/errno-base.h and errno.h
/// (x86-64). Kernel functions return 0 or a negative errno; the model returns
/// <see cref="Ok"/> or one of these, and <see cref="ErrnoExtensions.ToReturnCode"/> gives the
/// kernel's negative int when a report needs it.
/// </summary>
public enum Errno
{
    /// <summary>0: success.</summary>
    Ok = 0,

    /// <summary>Operation not permitted.</summary>
    EPERM = 1,

    /// <summary>No such file or directory.</summary>
    ENOENT = 2,

    /// <summary>No such process (a signal to a task that has exited).</summary>
    ESRCH = 3,

    /// <summary>I/O error; every operation of a shut-down filesystem (fs/xfs/xfs_fsops.c: xfs_do_force_shutdown()).</summary>
    EIO = 5,

    /// <summary>No such device or address: dead dax device, range outside the filesystem, device metadata (mm/memory-failure.c: memory_failure_dev_pagemap()).</summary>
    ENXIO = 6,

    /// <summary>Argument list too long: setxattr with a value over XATTR_SIZE_MAX (64 KiB).</summary>
    E2BIG = 7,

    /// <summary>Bad file descriptor: an fd that is not open.</summary>
    EBADF = 9,

    /// <summary>Try again.</summary>
    EAGAIN = 11,

    /// <summary>Out of memory.</summary>
    ENOMEM = 12,

    /// <summary>Bad address: mm/rmap.c: page_address_in_vma()'s failure.</summary>
    EFAULT = 14,

    /// <summary>Device or resource busy: fs/dax.c: dax_lock_page() failed, non-DAX mapping (mm/memory-failure.c: mf_dax_kill_procs()).</summary>
    EBUSY = 16,

    /// <summary>File exists.</summary>
    EEXIST = 17,

    /// <summary>Cross-device link.</summary>
    EXDEV = 18,

    /// <summary>No such device.</summary>
    ENODEV = 19,

    /// <summary>Not a directory: a path component or readdir target that is a file.</summary>
    ENOTDIR = 20,

    /// <summary>Is a directory.</summary>
    EISDIR = 21,

    /// <summary>Invalid argument: refused mounts and options (fs/xfs/xfs_super.c: xfs_setup_dax_always()).</summary>
    EINVAL = 22,

    /// <summary>Inappropriate ioctl: an ioctl the filesystem does not implement (fs/ioctl.c: -ENOIOCTLCMD as user space sees it).</summary>
    ENOTTY = 25,

    /// <summary>File too large.</summary>
    EFBIG = 27,

    /// <summary>No space left on device.</summary>
    ENOSPC = 28,

    /// <summary>Read-only file system: every write on EROFS.</summary>
    EROFS = 30,

    /// <summary>Result too large: setxattr with a name over XATTR_NAME_MAX (255).</summary>
    ERANGE = 34,

    /// <summary>No data available: xfs_iget(XFS_IGET_INCORE) on an inode not in core (fs/xfs/xfs_notify_failure.c: xfs_dax_failure_fn()).</summary>
    ENODATA = 61,

    /// <summary>Operation not supported: no holder operations, no rmapbt; triggers the generic fallback (mm/memory-failure.c: memory_failure_dev_pagemap()).</summary>
    EOPNOTSUPP = 95,

    /// <summary>
    /// Structure needs cleaning: EUCLEAN (117), which XFS, ext4 and EROFS all call EFSCORRUPTED.
    /// One name per value keeps reports deterministic, and the filesystems' name is the one
    /// reports use.
    /// </summary>
    EFSCORRUPTED = 117,

    /// <summary>Memory page has hardware error: drivers/nvdimm/pmem.c: __pmem_direct_access() on a badblocks range.</summary>
    EHWPOISON = 133,
}

/// <summary>Conversions between <see cref="Errno"/> and the kernel's int return codes.</summary>
public static class ErrnoExtensions
{
    /// <summary>The kernel's return value: 0 for <see cref="Errno.Ok"/>, else the negative errno.</summary>
    public static int ToReturnCode(this Errno errno) => -(int)errno;

    /// <summary>"0" or "-ENXIO": how reports name a return value.</summary>
    public static string ToKernelString(this Errno errno) =>
        errno == Errno.Ok ? "0" : "-" + errno.ToString();

    /// <summary>
    /// The errno of a kernel return value (0 or negative). A value this enum does not name is
    /// refused rather than invented.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is positive or names no known errno.</exception>
    public static Errno FromReturnCode(int returnCode)
    {
        if (returnCode > 0 || !Enum.IsDefined((Errno)(-returnCode)))
        {
            throw new ArgumentOutOfRangeException(nameof(returnCode), returnCode, "not 0 or a known negative errno");
        }

        return (Errno)(-returnCode);
    }
}
