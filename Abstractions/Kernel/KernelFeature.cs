namespace DaxHolder.Abstractions.Kernel;

/// <summary>
/// Version-dependent kernel behaviours that a filesystem or the host branches on. A profile says
/// which it has; a feature is named rather than derived from a version number because stable
/// backports break version ordering (6.1.112 has range fixes that 6.4 lacks). Each member names the
/// kernel function it changes and, where known, the commit. New members go at the end, so the
/// values plugins were built against keep their meaning.
/// </summary>
public enum KernelFeature
{
    /// <summary>XFS logs "DAX enabled. Warning: EXPERIMENTAL, use at your own risk" at mount (fs/xfs/xfs_super.c: xfs_setup_dax_always(); until 6.8-rc7, as Debian's 6.1.192 does and 6.12.95 does not).</summary>
    XfsDaxExperimentalWarning,

    /// <summary>Reflinked XFS inodes are never S_DAX (fs/xfs/xfs_iops.c: xfs_inode_supports_dax(); ≤6.1, removed in 6.2).</summary>
    ReflinkedInodesNotDax,

    /// <summary>fs/dax.c: dax_insert_entry() marks shared extents shared on read faults too (6.2+).</summary>
    DaxSharedOnReadFault,

    /// <summary>fs/xfs/xfs_notify_failure.c: xfs_dax_notify_failure() clamps with the inclusive end, len = end - offset + 1 (5cf32f63b0f4: 6.5+, 6.1.112+).</summary>
    XfsInclusiveRangeEnd,

    /// <summary>Per-AG blockcount min(agf_length - 1, high) + 1 - low in fs/xfs/xfs_notify_failure.c: xfs_dax_notify_ddev_failure() (3c90c01e4934: 6.6+, 6.1.112+).</summary>
    XfsCorrectAgBlockcount,

    /// <summary>DAX faults on badblocks return VM_FAULT_HWPOISON, so BUS_MCEERR_AR (include/linux/mm.h: vmf_error(); 6.5+).</summary>
    DaxFaultReportsHwpoison,

    /// <summary>kill_dax notifies with MF_MEM_PRE_REMOVE, and XFS revokes every mapping (drivers/dax/super.c: kill_dax(), fs/xfs/xfs_notify_failure.c; fa422b353d21, 6.7+).</summary>
    MemPreRemove,

    /// <summary>fs/xfs/xfs_notify_failure.c: xfs_dax_failure_fn() calls mf_dax_kill_procs only for a dax_mapping() inode (6.7+).</summary>
    XfsDaxMappingCheck,

    /// <summary>The generic path skips entries whose user address is -EFAULT instead of SIGKILL (mm/memory-failure.c: __add_to_kill(); 6.10+).</summary>
    GenericPathSkipsEfaultAddress,

    /// <summary>Log-device failures are translated and range-checked (fs/xfs/xfs_notify_failure.c: xfs_dax_notify_logdev_failure(); f4ed93037966: ~6.13/6.14, 6.12.y from Feb 2025).</summary>
    XfsLogdevFailureTranslate,

    /// <summary>Realtime-device failures go through the rt rmap instead of -EOPNOTSUPP (fs/xfs/xfs_notify_failure.c: xfs_dax_notify_dev_failure(); 6.14+).</summary>
    XfsRealtimeRmap,

    /// <summary>Folio refcounts: 0-based, shared folios have mapping NULL (fs/dax.c: dax_folio_put(), dax_associate_entry(); 6.15+).</summary>
    FolioRefcounts,

    /// <summary>dax_lock_page() is named dax_lock_folio() and takes a folio (fs/dax.c; 6.7+), which is the name an oops in it prints.</summary>
    DaxLockFolio,

    /// <summary>madvise(MADV_HWPOISON) adds MF_ACTION_REQUIRED to MF_COUNT_INCREASED|MF_SW_SIMULATED (mm/madvise.c: madvise_inject_error(); 6.11+).</summary>
    MadviseActionRequired,

    /// <summary>XFS's mount and unmount lines carry the UUID ("xfs: Print XFS UUID on mount and umount events", 6.2+).</summary>
    XfsMountUuid,

    /// <summary>ext4's "mounted filesystem" and "unmounting filesystem" lines carry the UUID, and the mount line "r/w" or "ro" (6.2+; Plugins/Ext4/README.md).</summary>
    Ext4MountUuid,

    /// <summary>EROFS logs "DAX enabled. Warning: EXPERIMENTAL, use at your own risk" for dax=always (fs/erofs/super.c; dropped for 6.10).</summary>
    ErofsDaxExperimentalWarning,

    /// <summary>Chunk-based EROFS files get S_DAX, not only flat plain ones ("erofs: fix fsdax unavailability for chunk-based regular files", 18bddc5b6703: 6.5+, 6.1.40+).</summary>
    ErofsChunkBasedDax,

    /// <summary>
    /// Removing a block device reaches the filesystem mounted on it: del_gendisk() -&gt;
    /// bdev_mark_dead() -&gt; fs_bdev_mark_dead() calls sb-&gt;s_op-&gt;shutdown (fs/super.c;
    /// 87efb39075be "fs: add a method to shut down the file system" and f5db130d4443 "ext4: wire up
    /// sops-&gt;shutdown", 6.5; the superblock as holder, 2ea6f68932f7, 6.6).
    /// </summary>
    FsHolderOpsShutdown,

    /// <summary>
    /// mm/memory-failure.c: dev_pagemap_mapping_shift() counts any present PTE (and trans-huge
    /// PMD/PUD), not only devmap ones, so a task whose private COW copy sits where the DAX page was
    /// mapped is collected and signalled (38607c62b34b "fs/dax: properly refcount fs dax pages", 6.15).
    /// </summary>
    MappingShiftAnyPresentPte,
}
