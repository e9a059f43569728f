using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Abstractions.Fs;

/// <summary>
/// A filesystem type (struct file_system_type plus its mkfs): what a plugin registers. It holds
/// no per-machine state; everything a filesystem keeps lives in the images and mounts it returns.
/// </summary>
public interface IFileSystemType
{
    /// <summary>The name scenarios and mount use: "xfs", "ext4", "erofs".</summary>
    string Name { get; }

    /// <summary>
    /// mkfs: lay a new filesystem on the device(s). Unknown or contradictory options give
    /// -EINVAL with a message naming the option.
    /// </summary>
    ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request);

    /// <summary>
    /// mount (fill_super): bring an image up on its superblock. The filesystem registers as dax
    /// holder here (with or without holder operations) and prints its mount-time lines.
    /// </summary>
    ErrnoOr<IMountedFileSystem> Mount(MountRequest request);

    /// <summary>
    /// Whether mkfs builds the files from a source tree (<see cref="MkfsRequest.Files"/>), as
    /// mkfs.erofs does for a read-only image, instead of the files being made after mount. False
    /// unless the type says otherwise: XFS and ext4 make their files after mount.
    /// </summary>
    bool BuildsFilesAtMkfs => false;
}

/// <summary>A mkfs invocation.</summary>
/// <param name="Device">The data device.</param>
/// <param name="Options">mkfs options, e.g. "reflink=1,rmapbt=1".</param>
/// <param name="LogDevice">An external log device, or null for an internal log.</param>
/// <param name="RealtimeDevice">A realtime device, or null.</param>
public sealed record MkfsRequest(
    IBlockDevice Device,
    FsOptions Options,
    IBlockDevice? LogDevice = null,
    IBlockDevice? RealtimeDevice = null)
{
    /// <summary>
    /// The source tree's regular files, in the order given, for a type that
    /// <see cref="IFileSystemType.BuildsFilesAtMkfs"/>; empty otherwise.
    /// </summary>
    public IReadOnlyList<SourceFile> Files { get; init; } = [];
}

/// <summary>A mount invocation.</summary>
/// <param name="Image">What mkfs (or an earlier mount) left on the device.</param>
/// <param name="Options">Mount options, e.g. "dax=always".</param>
/// <param name="SuperBlock">The VFS superblock the host made for this mount; SB_BORN is not yet set.</param>
/// <param name="Kernel">The kernel services of the machine.</param>
public sealed record MountRequest(
    IFileSystemImage Image,
    FsOptions Options,
    ISuperBlock SuperBlock,
    IKernelServices Kernel);

/// <summary>
/// What is on the device(s) between mounts: the on-media state mkfs creates and file operations
/// change. Opaque to the host, which keeps it with the device so a mount cycle keeps the files.
/// </summary>
public interface IFileSystemImage
{
    /// <summary>The filesystem type that made it.</summary>
    string FileSystemType { get; }

    /// <summary>The data device.</summary>
    IBlockDevice Device { get; }

    /// <summary>The external log device, or null.</summary>
    IBlockDevice? LogDevice { get; }

    /// <summary>The realtime device, or null.</summary>
    IBlockDevice? RealtimeDevice { get; }
}
