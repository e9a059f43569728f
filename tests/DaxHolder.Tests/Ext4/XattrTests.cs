using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Tests.Ext4.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>
/// Extended attributes (fs/ext4/xattr.c): in the inode body while they fit, else in one external
/// block (i_file_acl) at the inode group's first free block; that block in the rmap as the
/// inode's AttrFork record; a poisoned xattr block on both modes.
/// </summary>
public sealed class XattrTests
{
    [Fact]
    public void SmallAttribute_StaysInTheInodeBody_NoBlock()
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/f", 1);

        m.Files.SetXattr(ino, "user.small", new ByteLength(40)).ShouldBe(Errno.Ok);

        XattrRecords(m, ino).ShouldBeEmpty("the 92 bytes of the inode body hold a 16+8 entry and a 40-byte value");
    }

    [Fact]
    public void AttributeTooBigForTheBody_GoesToOneExternalBlock_FreedWithItsLastAttribute()
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/f", 1);

        m.Files.SetXattr(ino, "user.big", new ByteLength(1000)).ShouldBe(Errno.Ok);
        m.Files.SetXattr(ino, "user.big2", new ByteLength(1000)).ShouldBe(Errno.Ok);

        XattrRecords(m, ino).Select(r => r.Extent).ShouldBe([m.Metadata("xattr-block /f")], "both share the one block");
        m.Files.RemoveXattr(ino, "user.big").ShouldBe(Errno.Ok);
        XattrRecords(m, ino).Count.ShouldBe(1);
        m.Files.RemoveXattr(ino, "user.big2").ShouldBe(Errno.Ok);
        XattrRecords(m, ino).ShouldBeEmpty();
        m.Files.RemoveXattr(ino, "user.big2").ShouldBe(Errno.ENODATA);
    }

    [Theory]
    [InlineData("user.v", 5000, Errno.ENOSPC)]
    [InlineData("user.v", 65537, Errno.E2BIG)]
    [InlineData("nohandler.v", 1, Errno.EOPNOTSUPP)]
    [InlineData("", 1, Errno.ERANGE)]
    public void Limits_WithoutEaInode(string name, int length, Errno expected)
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/f", 1);

        m.Files.SetXattr(ino, name, new ByteLength((ulong)length)).ShouldBe(expected);
    }

    [Fact]
    public void Unlink_FreesTheXattrBlock_WithTheInode()
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/f", 1);
        m.Files.SetXattr(ino, "user.big", new ByteLength(1000)).ShouldBe(Errno.Ok);

        m.Files.Unlink("/f").ShouldBe(Errno.Ok);

        XattrRecords(m, ino).ShouldBeEmpty();
    }

    /// <summary>Kernel-faithful: the xattr block has no page->mapping, so the generic path gives -EBUSY (mf_generic_kill_procs()).</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void XattrBlockHit_KernelFaithful_IsEbusy(string profile)
    {
        using var m = new Ext4Machine(profile);
        var ino = m.CreateFile("/f", 1);
        m.Files.SetXattr(ino, "user.big", new ByteLength(1000)).ShouldBe(Errno.Ok);

        m.Machine.Mce.AsyncMachineCheck(m.PfnAt(m.Metadata("xattr-block /f"))).ShouldBe(Errno.EBUSY);
    }

    /// <summary>The proposal: the block is the inode's metadata, so ext4_error_inode names it and the call fails -EFSCORRUPTED.</summary>
    [Fact]
    public void XattrBlockHit_RmapProposal_ErrorInode_Efscorrupted()
    {
        using var m = new Ext4Machine(mount: "dax,notify_failure=rmap");
        var ino = m.CreateFile("/f", 1);
        m.Files.SetXattr(ino, "user.big", new ByteLength(1000)).ShouldBe(Errno.Ok);
        var extent = m.Metadata("xattr-block /f");

        var (_, log) = m.Record(() => m.Machine.Mce.AsyncMachineCheck(m.PfnAt(extent)).ShouldBe(Errno.EFSCORRUPTED));

        log.ShouldContain(l => l.Contains($"inode #{ino.Value}: block {extent.Start.Value / 4096}: comm ?: memory failure in xattr block", StringComparison.Ordinal));
    }

    private static List<RmapRecord> XattrRecords(Ext4Machine m, InodeNumber ino) =>
        [.. m.Fs.ReverseMap.Query(new DeviceExtent(DeviceOffset.Zero, m.Pmem.Disk.Size)).Where(r => r.Owner.Inode == ino && (r.Flags & RmapRecordFlags.AttrFork) != 0)];
}
