namespace DaxHolder.Abstractions;

/// <summary>
/// Page and huge-page geometry of x86-64, the only architecture the model covers
/// (PAGE = 4096 bytes, PMD = 2 MiB, PUD = 1 GiB). DAX needs the filesystem block
/// size to equal PAGE_SIZE (fs/xfs/xfs_super.c: xfs_setup_dax_always()), so one block is one page.
/// </summary>
public static class PageGeometry
{
    /// <summary>PAGE_SHIFT; also si_addr_lsb for a PTE mapping (mm/memory-failure.c: dev_pagemap_mapping_shift()).</summary>
    public const int PageShift = 12;

    /// <summary>PAGE_SIZE.</summary>
    public const ulong PageSize = 1UL << PageShift;

    /// <summary>PMD_SHIFT; si_addr_lsb for a PMD mapping.</summary>
    public const int PmdShift = 21;

    /// <summary>PMD_SIZE (2 MiB).</summary>
    public const ulong PmdSize = 1UL << PmdShift;

    /// <summary>PUD_SHIFT; si_addr_lsb for a PUD mapping.</summary>
    public const int PudShift = 30;

    /// <summary>PUD_SIZE (1 GiB).</summary>
    public const ulong PudSize = 1UL << PudShift;

    /// <summary>The 512-byte sector (basic block) that BTOBB and badblocks count in.</summary>
    public const ulong SectorSize = 512;
}
