using System.Globalization;

namespace DaxHolder.Abstractions;

/// <summary>
/// A byte offset into the whole pmem disk, which is the dax_device's address space: the offset
/// pmem_pagemap_memory_failure computes and dax_holder_notify_failure passes on
/// (drivers/nvdimm/pmem.c). It is not relative to a partition; a filesystem on a partition
/// subtracts its own start (<see cref="Kernel.IBlockDevice.Start"/>), as XFS does with
/// bt_dax_part_off in fs/xfs/xfs_notify_failure.c: xfs_dax_notify_failure().
/// </summary>
/// <param name="Value">The byte offset.</param>
public readonly record struct DeviceOffset(ulong Value) : IComparable<DeviceOffset>
{
    /// <summary>The disk's first byte.</summary>
    public static DeviceOffset Zero => default;

    /// <summary>The offset <paramref name="length"/> bytes further on.</summary>
    public DeviceOffset Add(ByteLength length) => new(checked(Value + length.Value));

    /// <summary>The distance from <paramref name="start"/> to this offset.</summary>
    public ByteLength Since(DeviceOffset start) => new(checked(Value - start.Value));

    /// <summary>Whether the offset falls on a page boundary.</summary>
    public bool IsPageAligned => (Value & (PageGeometry.PageSize - 1)) == 0;

    /// <summary>This offset rounded down to its page.</summary>
    public DeviceOffset AlignDownToPage() => new(Value & ~(PageGeometry.PageSize - 1));

    /// <inheritdoc />
    public int CompareTo(DeviceOffset other) => Value.CompareTo(other.Value);

    /// <summary>Lowercase hex with 0x.</summary>
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);

#pragma warning disable CS1591
    public static bool operator <(DeviceOffset left, DeviceOffset right) => left.Value < right.Value;
    public static bool operator >(DeviceOffset left, DeviceOffset right) => left.Value > right.Value;
    public static bool operator <=(DeviceOffset left, DeviceOffset right) => left.Value <= right.Value;
    public static bool operator >=(DeviceOffset left, DeviceOffset right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
