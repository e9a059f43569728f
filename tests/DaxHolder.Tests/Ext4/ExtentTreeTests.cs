using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Tests.Ext4.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>fs/ext4/extents.c as modelled: extents in the inode, then leaf blocks; unwritten extents; holes; punch and truncate.</summary>
public sealed class ExtentTreeTests
{
    private static IReadOnlyList<RmapRecord> RecordsOf(Ext4Machine m, InodeNumber ino) =>
        [.. m.Fs.ReverseMap.Query(new DeviceExtent(DeviceOffset.Zero, m.Pmem.Disk.Size)).Where(r => r.Owner.Inode == ino)];

    /// <summary>ext4_ext_space_root: four extents fit in i_block; the fifth moves them to a leaf block (ext4_ext_grow_indepth).</summary>
    [Fact]
    public void FourExtentsStayInTheInode_TheFifthNeedsAnExtentBlock()
    {
        using var m = new Ext4Machine();
        var four = RmapHolderModeTests.Fragmented(m, "/four", 4);
        var five = RmapHolderModeTests.Fragmented(m, "/five", 5);

        RecordsOf(m, four).Count(r => (r.Flags & RmapRecordFlags.BmbtBlock) != 0).ShouldBe(0);
        RecordsOf(m, four).Count.ShouldBe(4);
        RecordsOf(m, five).Count(r => (r.Flags & RmapRecordFlags.BmbtBlock) != 0).ShouldBe(1);
        m.Fs.ReverseMap.LocateMetadata("extent-block /four").Error.ShouldBe(Errno.ENOENT);
        m.Fs.ReverseMap.LocateMetadata("extent-block /five").IsOk.ShouldBeTrue();
    }

    /// <summary>A leaf holds 340 extents (ext4_ext_space_block); the 341st splits it into a second leaf under the root index.</summary>
    [Fact]
    public void AFullLeafSplits()
    {
        using var m = new Ext4Machine();
        var ino = RmapHolderModeTests.Fragmented(m, "/many", 341);

        RecordsOf(m, ino).Count(r => (r.Flags & RmapRecordFlags.BmbtBlock) != 0).ShouldBe(2);
        RecordsOf(m, ino).Count(r => r.Flags == RmapRecordFlags.None).ShouldBe(341);
    }

    /// <summary>fallocate gives unwritten extents (read as a hole-like IOMAP_UNWRITTEN); a write converts its range to written.</summary>
    [Fact]
    public void Fallocate_IsUnwritten_UntilWritten()
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/f", 4, written: false);

        m.Fs.Iomap.IomapBegin(ino, FileOffset.Zero, ByteLength.Page, IomapRequest.Report).Value.Map.Type.ShouldBe(IomapType.Unwritten);
        m.Files.Write(ino, new FileOffset(PageGeometry.PageSize), ByteLength.Page).IsOk.ShouldBeTrue();

        RecordsOf(m, ino).Select(r => (r.FileOffset!.Value.Value / PageGeometry.PageSize, r.Flags)).ShouldBe([
            (0UL, RmapRecordFlags.Unwritten), (1UL, RmapRecordFlags.None), (2UL, RmapRecordFlags.Unwritten)]);
    }

    /// <summary>A punched range is a hole (IOMAP_HOLE) and its blocks leave the rmap; truncate frees the tail.</summary>
    [Fact]
    public void PunchMakesAHole_TruncateFreesTheTail()
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/f", 8);

        m.Files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset(2 * PageGeometry.PageSize), new ByteLength(2 * PageGeometry.PageSize)).ShouldBe(Errno.Ok);
        m.Files.Truncate(ino, new ByteLength(6 * PageGeometry.PageSize)).ShouldBe(Errno.Ok);

        m.Fs.Iomap.IomapBegin(ino, new FileOffset(2 * PageGeometry.PageSize), new ByteLength(8 * PageGeometry.PageSize), IomapRequest.Report).Value.Map
            .ShouldSatisfyAllConditions(h => h.Type.ShouldBe(IomapType.Hole), h => h.Length.Value.ShouldBe(2 * PageGeometry.PageSize));
        RecordsOf(m, ino).Sum(r => (long)(r.Extent.Length.Value / PageGeometry.PageSize)).ShouldBe(4);
        m.Fs.Inodes.FindInCore(ino)!.Size.Value.ShouldBe(6 * PageGeometry.PageSize);
    }

    /// <summary>PUNCH_HOLE without KEEP_SIZE is -EOPNOTSUPP (ext4_fallocate).</summary>
    [Fact]
    public void PunchWithoutKeepSize_IsEopnotsupp()
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/f", 1);

        m.Files.Fallocate(ino, FallocateMode.PunchHole, FileOffset.Zero, ByteLength.Page).ShouldBe(Errno.EOPNOTSUPP);
    }
}
