namespace DaxHolder.Abstractions.Kernel;

/// <summary>
/// drivers/dax/super.c: struct dax_device, one per pmem disk. A filesystem compares instances by
/// reference, as XFS compares bt_daxdev with the dax_dev it is notified about
/// (fs/xfs/xfs_notify_failure.c: xfs_dax_notify_failure()).
/// </summary>
public interface IDaxDevice
{
    /// <summary>The disk the device belongs to, for reports (e.g. "pmem0").</summary>
    string DiskName { get; }

    /// <summary>drivers/dax/super.c: dax_alive(): false once kill_dax() ran.</summary>
    bool IsAlive { get; }
}

/// <summary>
/// include/linux/dax.h: struct dax_holder_operations. A filesystem that registers these at
/// mount receives every failure on its disk (drivers/dax/super.c: dax_holder_notify_failure(),
/// fs_dax_get_by_bdev()); one that registers none gets the generic page->mapping path
/// (mm/memory-failure.c: mf_generic_kill_procs()), as ext4 and EROFS do in the kernel.
/// </summary>
public interface IDaxHolderOperations
{
    /// <summary>
    /// -&gt;notify_failure(dax_dev, offset, len, mf_flags). Returns <see cref="Errno.Ok"/> or an
    /// errno; -EOPNOTSUPP makes memory_failure fall back to the generic path, and any other error
    /// ends the event as "Failed" (mm/memory-failure.c: memory_failure_dev_pagemap()). A
    /// whole-device notification from kill_dax arrives as offset 0, length <see
    /// cref="ByteLength.Max"/>.
    /// </summary>
    Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags);
}
