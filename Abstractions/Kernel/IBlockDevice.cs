namespace DaxHolder.Abstractions.Kernel;

/// <summary>
/// A block device a filesystem is made on or mounts: a whole pmem disk ("pmem0") or a partition of
/// one ("pmem0p1"). Its DAX device is that of the whole disk (drivers/dax/super.c:
/// fs_dax_get_by_bdev()), which a filesystem obtains through <see
/// cref="IKernelServices.FsDaxGetByBdev"/>.
/// </summary>
public interface IBlockDevice
{
    /// <summary>The name %pg prints and XFS uses as s_id, e.g. "pmem0".</summary>
    string Name { get; }

    /// <summary>Where the device starts on the disk: 0 for a whole disk, start_sect * 512 for a partition (bt_dax_part_off).</summary>
    DeviceOffset Start { get; }

    /// <summary>bdev_nr_bytes: the device's size.</summary>
    ByteLength Size { get; }

    /// <summary>Whether this is a partition rather than a whole disk (XFS refuses dax with reflink on one, fs/xfs/xfs_super.c: xfs_setup_dax_always()).</summary>
    bool IsPartition { get; }

    /// <summary>Whether the queue supports DAX (an fsdax namespace does; a devdax one has no block device at all).</summary>
    bool SupportsDax { get; }
}
