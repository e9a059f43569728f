using DaxHolder.Abstractions;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// What set-up did, as user space would, to give a file the shape the scenario describes, and what
/// the kernel answered: recorded in the set-up step's stream beside the kernel's own records.
/// </summary>
internal abstract record SetupRecord : Decision;

/// <summary>A file built into the image by mkfs from a source tree (mkfs.erofs IMAGE DIR).</summary>
internal sealed record FileBuiltByMkfs(string Path, ByteLength Size, string FileSystemType, string Content) : SetupRecord;

/// <summary>
/// cp --reflink=always SOURCE DEST: ioctl(FICLONE) (fs/remap_range.c: vfs_clone_file_range()),
/// which leaves the new destination empty when it fails; with <paramref name="Fallback"/>
/// (fallback: copy, cp --reflink=auto) a failure is followed by a plain copy into new blocks.
/// </summary>
internal sealed record FileCloned(string Source, string Destination, Errno Result, bool Fallback = true) : SetupRecord;

/// <summary>ioctl(FICLONERANGE) of a range; on failure the range stays a hole, or with fallback: copy it is written into new blocks.</summary>
internal sealed record FileRangeCloned(string Source, FileOffset SourceOffset, string Destination, FileOffset Offset, ByteLength Length, Errno Result, bool Fallback = true) : SetupRecord;
