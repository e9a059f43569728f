using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>
/// Extended attributes and the attr fork (xfs_attr.c, xfs_attr_leaf.c, xfs_attr_remote.c): where
/// the blocks are, their XFS_RMAP_ATTR_FORK records, and xfs_dax_failure_fn's shutdown for an
/// attr-fork hit.
/// </summary>
public sealed class XfsXattrTests
{
    private static readonly ByteLength Small = new(16);

    [Fact]
    public void SmallAttribute_StaysInTheInode_NoAttrForkBlock()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4096);

        m.Files.SetXattr(ino, "user.small", Small).ShouldBe(Errno.Ok);

        AttrRecords(m, ino).ShouldBeEmpty("a short-form attribute lives in the inode's literal area");
        m.Fs.ReverseMap.LocateMetadata("attr /f").Error.ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void LargeValue_GetsALeafAtBlock0_AndRemoteBlocksAfterIt_InAttrForkRecords()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4096);

        m.Files.SetXattr(ino, "user.big", new ByteLength(8192)).ShouldBe(Errno.Ok);

        // The leaf is attr-fork block 0; 8192 bytes over 4040-byte remote blocks (4096 less the
        // 56-byte header) are 3 blocks at 1-3. Allocated next to each other near the inode, they
        // are one extent and one rmapbt record, merged as xfs_rmap_map merges.
        AttrRecords(m, ino).Select(r => (r.FileOffset!.Value.Value / 4096, r.Extent.Length.Value / 4096)).ShouldBe([(0UL, 4UL)]);
        m.Fs.ReverseMap.LocateMetadata("attr /f").Value.Length.Value.ShouldBe(4UL * 4096, "'attr /f' names the first attr-fork extent");
    }

    [Fact]
    public void ManyShortAttributes_OutgrowTheInode_IntoOneLeafWithLocalValues()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4096);

        for (var i = 0; i < 12; i++)
        {
            m.Files.SetXattr(ino, $"user.a{i:00}", new ByteLength(40)).ShouldBe(Errno.Ok);
        }

        AttrRecords(m, ino).Select(r => r.Extent.Length.Value).ShouldBe([4096UL], "the values stay local in the leaf: no remote blocks");
    }

    [Fact]
    public void Remove_FreesRemoteBlocks_AndTheLeafOnceTheRestFitsShortForm_TheCheckStillPasses()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4096);
        m.Files.SetXattr(ino, "user.big", new ByteLength(8192)).ShouldBe(Errno.Ok);
        m.Files.SetXattr(ino, "user.small", Small).ShouldBe(Errno.Ok);

        m.Files.RemoveXattr(ino, "user.big").ShouldBe(Errno.Ok);

        AttrRecords(m, ino).ShouldBeEmpty("xfs_attr3_leaf_to_shortform once the rest fits in the inode");
        m.Files.RemoveXattr(ino, "user.big").ShouldBe(Errno.ENODATA);
        m.Machine.Vfs.Unmount(m.Mount).ShouldBe(Errno.Ok, "XfsCheck at unmount agrees with the rmapbt");
    }

    [Fact]
    public void Unlink_FreesTheAttrFork_WithTheInode()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4096);
        m.Files.SetXattr(ino, "user.big", new ByteLength(20000)).ShouldBe(Errno.Ok);

        m.Files.Unlink("/f").ShouldBe(Errno.Ok);

        AttrRecords(m, ino).ShouldBeEmpty();
        m.Machine.Vfs.Unmount(m.Mount).ShouldBe(Errno.Ok);
    }

    [Theory]
    [InlineData(256, 1, Errno.ERANGE)]
    [InlineData(8, 65537, Errno.E2BIG)]
    [InlineData(0, 1, Errno.ERANGE)]
    public void VfsLimits_NameAndValueLength(int nameLength, int valueLength, Errno expected)
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4096);

        m.Files.SetXattr(ino, new string('n', nameLength), new ByteLength((ulong)valueLength)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void AttrForkHit_KillsNobody_ShutsDownCorruptOndisk_Efscorrupted(string profile)
    {
        using var m = new XfsMachine(XfsMachine.Profile(profile));
        var ino = m.WriteFile("/f", 4096);
        m.Files.SetXattr(ino, "user.big", new ByteLength(8192)).ShouldBe(Errno.Ok);
        var task = m.Spawn(100, "reader");
        m.Touch(task, m.MapShared(task, "/f"));

        m.MachineCheckAt(m.Locate("attr /f")).ShouldBe(Errno.EFSCORRUPTED);

        m.Mount.SuperBlock.IsShutdown.ShouldBeTrue();
        m.Files.SetXattr(ino, "user.more", Small).ShouldBe(Errno.EIO, "every operation fails after a shutdown (xfs_do_force_shutdown())");
    }

    private static List<RmapRecord> AttrRecords(XfsMachine m, InodeNumber ino) =>
        [.. m.Fs.ReverseMap.Query(new DeviceExtent(DeviceOffset.Zero, m.Device.Size)).Where(r => r.Owner.Inode == ino && (r.Flags & RmapRecordFlags.AttrFork) != 0)];
}
