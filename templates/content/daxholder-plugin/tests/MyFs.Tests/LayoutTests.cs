using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace MyFs.Tests;

/// <summary>
/// The filesystem's own pieces through the contract, without a host: mkfs's options and layout,
/// the reverse map of a fresh image, and the allocator. Quick to run while changing them; the
/// decisions that matter are held by <see cref="ScenarioTests"/>.
/// </summary>
public sealed class LayoutTests
{
    private static readonly IBlockDevice Disk = new TestDisk("pmem0", new DeviceOffset(0), new ByteLength(256UL << 20));

    [Fact]
    public void Mkfs_RefusesAnUnknownOption_NamingIt()
    {
        var made = new MyFsType().Mkfs(new MkfsRequest(Disk, FsOptions.Parse("reflink=1")));

        made.Error.ShouldBe(Errno.EINVAL);
        made.Message.ShouldNotBeNull().ShouldContain("reflink");
    }

    [Fact]
    public void AFreshImage_MapsOnlyItsMetadata_InDeviceOrder()
    {
        var image = MyFsImage.Mkfs(Disk, FsOptions.Parse("inodes=256")).Value;
        var rmap = new MyFsReverseMap(image);

        var records = rmap.Query(new DeviceExtent(DeviceOffset.Zero, Disk.Size));

        records.Select(r => r.Owner.Metadata).ShouldBe(["superblock", "bitmap", "inodes", "root-dir"]);
        records.Select(r => r.Extent.Start.Value / MyFsImage.BlockSize).ShouldBe([0UL, 1UL, 3UL, 19UL]);
        rmap.LocateMetadata("inodes").Value.ShouldBe(records[2].Extent);
        rmap.LocateMetadata("agf 0").Error.ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void AFileGrowsInPlace_AndItsExtentsAreInTheReverseMap()
    {
        var image = MyFsImage.Mkfs(Disk, FsOptions.Empty).Value;
        var file = image.NewInode(daxFlag: true).Value;
        var first = image.Allocate(image.FirstDataBlock, 4)!.Value;
        file.Insert(new MyFsExtent(0, first.Start, first.Count, Unwritten: false));
        var next = image.Allocate(first.Start + first.Count, 4)!.Value;
        file.Insert(new MyFsExtent(4, next.Start, next.Count, Unwritten: false));

        file.Extents.ShouldHaveSingleItem().Length.ShouldBe(8UL, "two allocations next to each other are one extent");
        var record = new MyFsReverseMap(image).Query(new DeviceExtent(image.OffsetOf(first.Start), ByteLength.Page)).ShouldHaveSingleItem();
        record.Owner.ShouldBe(RmapOwner.OfInode(file.Number));
        record.FileOffset.ShouldBe(new FileOffset(0));
    }

    private sealed record TestDisk(string Name, DeviceOffset Start, ByteLength Size) : IBlockDevice
    {
        public bool IsPartition => false;

        public bool SupportsDax => true;
    }
}
