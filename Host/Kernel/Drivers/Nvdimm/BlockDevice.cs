using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Kernel.Drivers.Nvdimm;

/// <summary>
/// include/linux/blk_types.h: struct block_device for a pmem disk (pmem0) or one of its
/// partitions (pmem0p1). Start is the partition's byte offset on the disk (start_sect*512).
/// </summary>
internal sealed class BlockDevice : IBlockDevice
{
    internal BlockDevice(PmemDevice disk, string name, DeviceOffset start, ByteLength size, bool isPartition)
    {
        Disk = disk;
        Name = name;
        Start = start;
        Size = size;
        IsPartition = isPartition;
    }

    /// <summary>The gendisk this device is (part of).</summary>
    public PmemDevice Disk { get; }

    public string Name { get; }

    public DeviceOffset Start { get; }

    public ByteLength Size { get; }

    public bool IsPartition { get; }

    /// <summary>The queue has DAX while the disk has a live dax_device.</summary>
    public bool SupportsDax => Disk.DaxDevice.IsAlive;

    /// <summary>The device was deleted (del_gendisk).</summary>
    public bool Deleted => Disk.Deleted;

    public override string ToString() => Name;
}
