using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Mm.Memremap;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// One scenario, bound for one cell of its matrix: the machine (kernel profile, sysctls, device),
/// the filesystem and its files, and the ordered steps. Built by <see cref="ScenarioParser"/>.
/// </summary>
internal sealed record Scenario(
    string Name,
    string? Description,
    string File,
    KernelProfile Kernel,
    SysctlSettings Sysctls,
    DeviceSpec Device,
    FileSystemSpec? FileSystem,
    IReadOnlyList<FileSpec> Files,
    IReadOnlyList<Step> Steps);

/// <summary>vm.memory_failure_early_kill and vm.memory_failure_recovery (mm/memory-failure.c).</summary>
internal sealed record SysctlSettings(int EarlyKill, int Recovery);

/// <summary>How the namespace is configured (ndctl create-namespace -m fsdax|devdax).</summary>
internal enum DeviceMode
{
    Fsdax,
    Devdax,
}

/// <summary>
/// The pmem namespace: its size, mode, the info-block size before the data (the dev_pagemap's
/// data offset), where struct pages live (-M mem|dev), a devdax alignment and the physical base.
/// </summary>
internal sealed record DeviceSpec(ByteLength Size, DeviceMode Mode, ByteLength DataOffset, MemmapLocation Memmap, ulong Align, ulong PhysicalBase)
{
    /// <summary>The bytes a filesystem or a devdax mapping can use.</summary>
    public ByteLength DataSize => new(Size.Value - DataOffset.Value);
}

/// <summary>The filesystem to make and mount on the device: type, mkfs and mount options.</summary>
internal sealed record FileSystemSpec(string Type, FsOptions Mkfs, FsOptions Mount, SourceLocation TypeAt, SourceLocation MkfsAt);

/// <summary>What a file's blocks hold after set-up.</summary>
internal enum FileContents
{
    /// <summary>Written data (pwrite of the whole size): written extents.</summary>
    Data,

    /// <summary>fallocate: unwritten extents of the whole size.</summary>
    Unwritten,

    /// <summary>A sparse file: truncate to the size, no blocks.</summary>
    Hole,
}

/// <summary>
/// A file made at set-up: created, filled, then cloned from or into as listed; or, for a
/// filesystem that builds its files at mkfs, a file of the source tree with its
/// <see cref="Content"/> (by default a pattern of its own, so files never share bytes). Written
/// data in <paramref name="Extents"/> &gt; 1 extents is cut into 2·Extents equal pieces of which
/// the even ones are written and the odd ones stay holes, so no two extents are adjacent in the
/// file and none merge (a fragmented file, as machine-sized generated scenarios need).
/// </summary>
internal sealed record FileSpec(
    string Path,
    ByteLength Size,
    FileContents Contents,
    ByteLength? ExtentSizeHint,
    int Extents,
    string? CloneOf,
    IReadOnlyList<CloneRangeSpec> CloneRanges,
    SourceLocation At)
{
    /// <summary>What the file holds, as named pattern runs; null for the default (unique to its path).</summary>
    public FileContent? Content { get; init; }

    /// <summary>
    /// fallback: copy (cp --reflink=auto): when FICLONE or FICLONERANGE fails, the data is written
    /// into new blocks instead. Without it the destination is left as the failed ioctl leaves it
    /// (empty after clone-of, a hole after a clone range), as the kernel does.
    /// </summary>
    public bool CopyOnCloneFailure { get; init; }

    /// <summary>The file as a source-tree file for mkfs.</summary>
    public SourceFile ToSourceFile() => new(Path, Size, Content ?? FileContent.UniqueTo(Path, Size));
}

/// <summary>FICLONERANGE into the file: <paramref name="Length"/> bytes of <paramref name="Source"/> at <paramref name="SourceOffset"/> to <paramref name="Offset"/>.</summary>
internal sealed record CloneRangeSpec(string Source, FileOffset SourceOffset, FileOffset Offset, ByteLength Length, SourceLocation At);
