using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Abstractions.Fs;

/// <summary>include/linux/iomap.h: IOMAP_HOLE .. IOMAP_INLINE, what a file range maps to.</summary>
public enum IomapType
{
    /// <summary>IOMAP_HOLE: no blocks; a read fault maps the zero page (fs/dax.c: dax_load_hole()).</summary>
    Hole,

    /// <summary>IOMAP_DELALLOC: reserved but not allocated (never for DAX).</summary>
    Delalloc,

    /// <summary>IOMAP_MAPPED: blocks at the address.</summary>
    Mapped,

    /// <summary>IOMAP_UNWRITTEN: allocated, reads as zeroes.</summary>
    Unwritten,

    /// <summary>IOMAP_INLINE: data inside metadata (EROFS tail packing); not DAX-mappable.</summary>
    Inline,
}

/// <summary>include/linux/iomap.h: IOMAP_F_*, flags a filesystem sets on a mapping.</summary>
[Flags]
public enum IomapMappingFlags
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>IOMAP_F_NEW: blocks just allocated (a write fault on a hole unmaps zero pages, fs/dax.c: dax_insert_entry()).</summary>
    New = 1 << 0,

    /// <summary>IOMAP_F_DIRTY: metadata not yet committed (MAP_SYNC).</summary>
    Dirty = 1 << 1,

    /// <summary>IOMAP_F_SHARED: the blocks are shared (reflink), so a write copies on write (fs/dax.c: dax_iomap_copy_around()).</summary>
    Shared = 1 << 2,
}

/// <summary>include/linux/iomap.h: IOMAP_WRITE .. IOMAP_DAX, what the caller of iomap_begin wants (6.1–6.12 values).</summary>
[Flags]
public enum IomapRequest
{
    /// <summary>A read or a read fault.</summary>
    Read = 0,

    /// <summary>IOMAP_WRITE.</summary>
    Write = 1 << 0,

    /// <summary>IOMAP_ZERO.</summary>
    Zero = 1 << 1,

    /// <summary>IOMAP_REPORT (fiemap, lseek).</summary>
    Report = 1 << 2,

    /// <summary>IOMAP_FAULT: from a page fault.</summary>
    Fault = 1 << 3,

    /// <summary>IOMAP_DIRECT.</summary>
    Direct = 1 << 4,

    /// <summary>IOMAP_NOWAIT.</summary>
    NoWait = 1 << 5,

    /// <summary>IOMAP_OVERWRITE_ONLY.</summary>
    OverwriteOnly = 1 << 6,

    /// <summary>IOMAP_UNSHARE.</summary>
    Unshare = 1 << 7,

    /// <summary>IOMAP_DAX: a DAX access.</summary>
    Dax = 1 << 8,
}

/// <summary>struct iomap: one contiguous mapping of a file range.</summary>
/// <param name="Offset">The file offset the mapping starts at.</param>
/// <param name="Length">Its length.</param>
/// <param name="Type">What it maps to.</param>
/// <param name="Flags">IOMAP_F_* flags.</param>
/// <param name="Address">Where on the disk it starts (already including a partition's start), or null for a hole (IOMAP_NULL_ADDR).</param>
/// <param name="DaxDevice">The dax device of a mapped or unwritten extent.</param>
public sealed record Iomap(
    FileOffset Offset,
    ByteLength Length,
    IomapType Type,
    IomapMappingFlags Flags,
    DeviceOffset? Address,
    IDaxDevice? DaxDevice);

/// <summary>What iomap_begin returns: the mapping to write to and, for copy on write, the source to copy from (srcmap).</summary>
/// <param name="Map">The iomap.</param>
/// <param name="Source">The srcmap of a copy on write, or null.</param>
public sealed record IomapResult(Iomap Map, Iomap? Source = null);

/// <summary>struct iomap_ops: how fs/dax.c asks a filesystem where a file range lives.</summary>
public interface IIomapOps
{
    /// <summary>
    /// -&gt;iomap_begin(inode, pos, length, flags, iomap, srcmap). A write on a hole or unwritten
    /// range allocates (IOMAP_F_NEW); a write on a shared extent sets up copy on write.
    /// </summary>
    ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request);

    /// <summary>-&gt;iomap_end(inode, pos, length, written, flags, iomap): finish (e.g. remap CoW staging blocks).</summary>
    Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map);
}
