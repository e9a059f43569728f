using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Tests.Contract;

/// <summary>
/// The notify_failure helpers every filesystem plugin may use (Abstractions' RmapFailureWalk): the
/// range clipping and page arithmetic of fs/xfs/xfs_notify_failure.c, in the byte units of the contract.
/// </summary>
public sealed class RmapFailureWalkTests
{
    private static readonly Disk Partition = new(new DeviceOffset(0x100000), new ByteLength(0x400000));

    [Fact]
    public void ClipToDevice_ARangeWhollyOutside_IsNull_SoTheCallerReturnsEnxio()
    {
        RmapFailureWalk.ClipToDevice(Partition, new DeviceOffset(0), new ByteLength(0x1000)).ShouldBeNull("before the partition");
        RmapFailureWalk.ClipToDevice(Partition, new DeviceOffset(0x500000), new ByteLength(0x1000)).ShouldBeNull("past its end");
    }

    [Fact]
    public void ClipToDevice_OverlappingRanges_AreCutToTheDevice()
    {
        RmapFailureWalk.ClipToDevice(Partition, new DeviceOffset(0xff000), new ByteLength(0x2000))
            .ShouldBe(new DeviceExtent(new DeviceOffset(0x100000), new ByteLength(0x1000)), "the head before the partition is cut");
        RmapFailureWalk.ClipToDevice(Partition, new DeviceOffset(0x4ff000), new ByteLength(0x4000))
            .ShouldBe(new DeviceExtent(new DeviceOffset(0x4ff000), new ByteLength(0x1000)), "the tail past the end is cut");
    }

    /// <summary>kill_dax() notifies (0, U64_MAX): the whole device, without wrapping.</summary>
    [Fact]
    public void ClipToDevice_U64Max_IsTheWholeDevice()
    {
        RmapFailureWalk.ClipToDevice(Partition, new DeviceOffset(0), ByteLength.Max)
            .ShouldBe(new DeviceExtent(Partition.Start, Partition.Size));
    }

    /// <summary>xfs_dax_failure_fn(): pgoff = the record's file offset plus how far into it the failure starts; the count rounds up to whole pages.</summary>
    [Fact]
    public void FilePages_AreTheRecordsPagesTheRangeCovers()
    {
        var record = new RmapRecord(new DeviceExtent(new DeviceOffset(0x200000), new ByteLength(0x10000)), RmapOwner.OfInode(new InodeNumber(131)), new FileOffset(0x40000), RmapRecordFlags.None);

        RmapFailureWalk.FilePages(record, new DeviceExtent(new DeviceOffset(0x203000), ByteLength.Page))
            .ShouldBe((new PageIndex(0x43), new PageCount(1)));
        RmapFailureWalk.FilePages(record, new DeviceExtent(new DeviceOffset(0x1ff000), new ByteLength(0x2800)))
            .ShouldBe((new PageIndex(0x40), new PageCount(2)), "from the record's start, 6 KiB of it rounds up to 2 pages");
        RmapFailureWalk.FilePages(record, new DeviceExtent(new DeviceOffset(0), new ByteLength(0x1000000)))
            .ShouldBe((new PageIndex(0x40), new PageCount(16)), "a range covering the whole record is all its pages");
    }

    [Fact]
    public void FilePages_OfAMetadataRecord_IsRefused()
    {
        var record = new RmapRecord(new DeviceExtent(new DeviceOffset(0x200000), ByteLength.Page), RmapOwner.OfMetadata("sb"), null, RmapRecordFlags.None);

        Should.Throw<ArgumentException>(() => RmapFailureWalk.FilePages(record, record.Extent));
    }

    private sealed record Disk(DeviceOffset Start, ByteLength Size) : IBlockDevice
    {
        public string Name => "pmem0p1";

        public bool IsPartition => true;

        public bool SupportsDax => true;
    }
}
