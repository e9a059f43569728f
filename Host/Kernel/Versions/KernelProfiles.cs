using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Kernel.Versions;

/// <summary>
/// The kernel version profiles a scenario can run on. Each profile is the set of
/// behaviour switches of one real, observed kernel build; every switch names the change that
/// introduced it (see <see cref="KernelFeature"/>). Room is left for 6.6 and 6.15: a new profile
/// is one more entry here.
/// </summary>
internal static class KernelProfiles
{
    /// <summary>
    /// Debian 12's 6.1.192 (as seen under QEMU with an emulated NVDIMM): the notify_failure series
    /// with the 6.1 shutdown-after-scan fix, the XFS range fixes (stable 6.1.112+), the
    /// EXPERIMENTAL mount warnings (XFS, EROFS), reflinked inodes not DAX, chunk-based EROFS DAX
    /// (6.1.40+); no MF_MEM_PRE_REMOVE, no VM_FAULT_HWPOISON, SIGKILL for -EFAULT addresses.
    /// </summary>
    public static KernelProfile V6_1 { get; } = new("6.1", new KernelVersion(6, 1, 192),
    [
        KernelFeature.XfsDaxExperimentalWarning,
        KernelFeature.ReflinkedInodesNotDax,
        KernelFeature.XfsInclusiveRangeEnd,
        KernelFeature.XfsCorrectAgBlockcount,
        KernelFeature.ErofsDaxExperimentalWarning,
        KernelFeature.ErofsChunkBasedDax,
    ]);

    /// <summary>
    /// Debian's 6.12.95 (as seen under QEMU with an emulated NVDIMM): 6.2's shared-on-read
    /// association, 6.5's VM_FAULT_HWPOISON, 6.7's MF_MEM_PRE_REMOVE and dax_mapping() check and
    /// dax_lock_folio, 6.10's -EFAULT skip, 6.11's MF_ACTION_REQUIRED from madvise, f4ed93037966's
    /// log-device translation (6.12.y, Feb 2025), the UUID in XFS's and ext4's mount lines (6.2),
    /// chunk-based EROFS DAX (6.5) and 6.5's filesystem shutdown when its block device is removed.
    /// </summary>
    public static KernelProfile V6_12 { get; } = new("6.12", new KernelVersion(6, 12, 95),
    [
        KernelFeature.DaxSharedOnReadFault,
        KernelFeature.XfsInclusiveRangeEnd,
        KernelFeature.XfsCorrectAgBlockcount,
        KernelFeature.DaxFaultReportsHwpoison,
        KernelFeature.MemPreRemove,
        KernelFeature.XfsDaxMappingCheck,
        KernelFeature.GenericPathSkipsEfaultAddress,
        KernelFeature.XfsLogdevFailureTranslate,
        KernelFeature.DaxLockFolio,
        KernelFeature.MadviseActionRequired,
        KernelFeature.XfsMountUuid,
        KernelFeature.Ext4MountUuid,
        KernelFeature.ErofsChunkBasedDax,
        KernelFeature.FsHolderOpsShutdown,
    ]);

    /// <summary>
    /// Debian's 7.2.13 (unstable): everything 6.12 has, plus 6.14's realtime rmap and 6.15's
    /// folio refcounts (cbe298d82cf7 "fs/dax: remove PAGE_MAPPING_DAX_SHARED mapping flag",
    /// 38607c62b34b "fs/dax: properly refcount fs dax pages"): a page shared by two files
    /// (reflink) has folio->mapping NULL, so the generic path's dax_lock_folio() gives -EBUSY and
    /// "Failed" where 6.12 oopses on the shared sentinel; and dev_pagemap_mapping_shift() counts any
    /// present PTE, so a task holding a private COW copy at the page's address is signalled.
    /// </summary>
    public static KernelProfile V7_2 { get; } = new("7.2", new KernelVersion(7, 2, 13),
    [
        .. V6_12.Features,
        KernelFeature.XfsRealtimeRmap,
        KernelFeature.FolioRefcounts,
        KernelFeature.MappingShiftAnyPresentPte,
    ]);

    /// <summary>The profile a scenario gets when it names none.</summary>
    public static KernelProfile Default => V6_12;

    /// <summary>Every profile, oldest first.</summary>
    public static IReadOnlyList<KernelProfile> All { get; } = [V6_1, V6_12, V7_2];

    /// <summary>The profile called <paramref name="name"/> ("6.1", "6.12", "7.2"), or null.</summary>
    public static KernelProfile? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
}
