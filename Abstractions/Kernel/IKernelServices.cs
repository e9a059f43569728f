using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Abstractions.Kernel;

/// <summary>
/// What the kernel exports to a filesystem, as the kernel exports it. One instance per simulated
/// machine; the host implements every member in the file that models the named kernel function.
/// </summary>
public interface IKernelServices
{
    /// <summary>The kernel version this machine runs; where versions differ it decides.</summary>
    KernelProfile Profile { get; }

    /// <summary>The kernel log.</summary>
    IKernelLog Log { get; }

    /// <summary>
    /// Cancelled when the host abandons the plugin's current call because it ran past its deadline
    /// (<c>--plugin-timeout</c>, 5 s by default). A long walk (a whole-device notify_failure, a
    /// large rmap query) may check it, as kernel code checks fatal_signal_pending(), and stop early;
    /// the host reports the call as timed out either way.
    /// </summary>
    CancellationToken Cancellation { get; }

    /// <summary>
    /// drivers/dax/super.c: fs_dax_get_by_bdev(bdev, &amp;start_off, holder, ops). The disk's dax
    /// device, or null when the device has no DAX, the partition is not page-aligned, or a
    /// holder is given and another (even the same one) already holds the disk. A null
    /// holder never conflicts and registers no operations.
    /// </summary>
    IDaxDevice? FsDaxGetByBdev(IBlockDevice device, object? holder, IDaxHolderOperations? operations);

    /// <summary>drivers/dax/super.c: fs_put_dax(dax_dev, holder). Clears the holder and its operations if it matches.</summary>
    void FsPutDax(IDaxDevice daxDevice, object? holder);

    /// <summary>
    /// The address_space of an inode coming into core (fs/inode.c: inode_init_always, with S_DAX
    /// as the filesystem decides it).
    /// </summary>
    IAddressSpace InitInodeMapping(ISuperBlock superBlock, InodeNumber inode, bool dax);

    /// <summary>mm/truncate.c: truncate_inode_pages_final(mapping), on eviction: every DAX entry is deleted and its pages disassociated.</summary>
    void TruncateInodePagesFinal(IAddressSpace mapping);

    /// <summary>
    /// mm/truncate.c: truncate_pagecache_range(inode, start, end) with an inclusive end: unmap the
    /// range from every process and delete its DAX entries (fs/dax.c: dax_delete_mapping_entry()).
    /// </summary>
    void TruncatePagecacheRange(IAddressSpace mapping, FileOffset start, FileOffset endInclusive);

    /// <summary>
    /// fs/dax.c: dax_layout_busy_page(mapping) (6.15+: dax_break_layout(inode, 0, LLONG_MAX)), as a
    /// filesystem breaks a DAX file's layout before it changes the file's block map
    /// (fs/xfs/xfs_file.c: xfs_break_dax_layouts(), fs/ext4/inode.c: ext4_break_layouts()): every
    /// process mapping of the whole file is unmapped, private COW copies stay; from 6.15 the file's
    /// DAX entries are deleted too. A non-DAX mapping is left alone.
    /// </summary>
    void DaxBreakLayout(IAddressSpace mapping);

    /// <summary>mm/truncate.c: invalidate_inode_pages2_range(mapping, start, end), inclusive: drops clean DAX entries, keeps dirty ones (as XFS pre-remove uses it).</summary>
    Errno InvalidateInodePages2Range(IAddressSpace mapping, PageIndex start, PageIndex endInclusive);

    /// <summary>
    /// fs/dax.c: dax_iomap_rw, the read(2)/write(2) path of a DAX file, driven by the
    /// filesystem's iomap operations. Returns the bytes done, or -EIO where the range hits
    /// poison (drivers/nvdimm/pmem.c: __pmem_direct_access()).
    /// </summary>
    ErrnoOr<ByteLength> DaxIomapRw(IInode inode, FileOffset position, ByteLength length, bool write, IIomapOps operations);

    /// <summary>
    /// mm/memory-failure.c: mf_dax_kill_procs(mapping, index, count, mf_flags): mark, collect,
    /// unmap and signal the processes mapping each page of [index, index+count).
    /// -EBUSY for a non-DAX mapping, at the first index.
    /// </summary>
    Errno MfDaxKillProcs(IAddressSpace mapping, PageIndex index, PageCount count, MfFlags flags);

    /// <summary>
    /// Tracing, for the report: the holder's notify_failure is about to walk its reverse map over
    /// <paramref name="range"/> (one call per query, e.g. per XFS allocation group). Call it before
    /// the records of that query; a walk that finds nothing is then reported as free space.
    /// </summary>
    void TraceRmapQuery(DeviceExtent range);

    /// <summary>
    /// Tracing, for the report: notify_failure visited <paramref name="record"/> and did
    /// <paramref name="visit"/> with it. Call it for each record, in walk order, before acting on it,
    /// so that what the kernel does for the record follows it in the report.
    /// </summary>
    void TraceRmapRecord(RmapRecord record, RmapVisit visit);

    /// <summary>
    /// Tracing, for the report, as <see cref="TraceRmapRecord(RmapRecord, RmapVisit)"/>, for a
    /// reverse map whose records are not <see cref="RmapRecord"/> objects already:
    /// <paramref name="record"/> makes the contract's record from <paramref name="state"/> only if
    /// the report lists it (the first records of a walk; the rest are counted), so a walk over a
    /// whole device's million records makes a handful. Pass a static lambda and the state it needs.
    /// </summary>
    void TraceRmapRecord<TState>(TState state, Func<TState, RmapRecord> record, RmapVisit visit)
    {
        ArgumentNullException.ThrowIfNull(record);
        TraceRmapRecord(record(state), visit);
    }
}
