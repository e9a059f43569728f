using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm;

namespace DaxHolder.Kernel.Fs;

/// <summary>
/// include/linux/fs.h: struct address_space of one in-core inode: its host, whether it is DAX
/// (dax_mapping()), its DAX entries (i_pages) and its i_mmap. A device-DAX character device's
/// mapping has a char-device host (S_ISCHR), which dax_lock_page() treats specially.
/// </summary>
internal sealed class AddressSpace : IAddressSpace
{
    internal AddressSpace(SuperBlock? superBlock, InodeNumber host, bool isDax, bool isCharDevice = false)
    {
        SuperBlock = superBlock;
        Host = host;
        IsDax = isDax;
        IsCharDevice = isCharDevice;
    }

    public InodeNumber Host { get; }

    public bool IsDax { get; }

    /// <summary>S_ISCHR(mapping->host->i_mode): the device-DAX character device.</summary>
    public bool IsCharDevice { get; }

    public SuperBlock? SuperBlock { get; }

    /// <summary>i_pages: the DAX entries, by page index.</summary>
    public DaxEntries Entries { get; } = new();

    /// <summary>i_mmap: the VMAs mapping this file.</summary>
    public IMmapTree IMmap { get; } = new();

    /// <summary>wb_err: writeback errors (memory failure on a dirty page-cache page sets one, me_pagecache_dirty()).</summary>
    public Errseq WbErr { get; } = new();

    /// <summary>The inode has been evicted (truncate_inode_pages_final ran); the mapping is dead.</summary>
    public bool Evicted { get; internal set; }

    public override string ToString() => SuperBlock is null ? $"inode {Host}" : $"{SuperBlock.Id} inode {Host}";
}
