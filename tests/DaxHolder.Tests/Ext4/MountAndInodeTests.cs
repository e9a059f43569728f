using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Tests.Ext4.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>ext4_fill_super's DAX setup and log lines, mount options, and the inode cache.</summary>
public sealed class MountAndInodeTests
{
    /// <summary>fs/ext4/super.c: the KERN_INFO mount line: 6.1 without the UUID, 6.12 with it and "r/w"; neither prints a DAX warning (removed in 5.16).</summary>
    [Theory]
    [InlineData("6.1", "EXT4-fs (pmem0): mounted filesystem with ordered data mode. Quota mode: none.")]
    [InlineData("6.12", "EXT4-fs (pmem0): mounted filesystem 6e0d7a52-1b0e-4c7e-9d4a-3f2b8c1e5a70 r/w with ordered data mode. Quota mode: none.")]
    public void Mount_PrintsTheProfilesMountLine_AndNoDaxWarning(string profile, string line)
    {
        using var m = new Ext4Machine(profile);

        m.LogLines.ShouldBe([line]);
    }

    /// <summary>ext4_put_super: "unmounting filesystem." on 6.1, with the UUID on 6.12.</summary>
    [Theory]
    [InlineData("6.1", "EXT4-fs (pmem0): unmounting filesystem.")]
    [InlineData("6.12", "EXT4-fs (pmem0): unmounting filesystem 6e0d7a52-1b0e-4c7e-9d4a-3f2b8c1e5a70.")]
    public void Unmount_PrintsTheProfilesLine(string profile, string line)
    {
        using var m = new Ext4Machine(profile);

        m.CycleMount();

        m.LogLines.ShouldContain(line);
    }

    /// <summary>Bad mount input: -EINVAL naming the option (design: bad input).</summary>
    [Theory]
    [InlineData("dax=sometimes", "'dax'")]
    [InlineData("errors=ignore", "'errors'")]
    [InlineData("notify_failure=yes", "'notify_failure'")]
    [InlineData("data=journal", "'data'")]
    public void BadMountOption_IsEinval_NamingIt(string options, string named)
    {
        using var m = new Ext4Machine();
        m.Machine.Vfs.Unmount(m.Mount).ShouldBe(Errno.Ok);

        var result = m.Machine.Vfs.Mount(Ext4Machine.Type, m.Image, m.Pmem.Disk, FsOptions.Parse(options));

        result.Error.ShouldBe(Errno.EINVAL);
        result.Message.ShouldNotBeNull().ShouldContain(named);
    }

    /// <summary>ext4_should_use_dax: dax=always makes every regular file DAX, dax=never none, the default follows the inode's DAX flag.</summary>
    [Theory]
    [InlineData("dax", false, true)]
    [InlineData("dax=never", true, false)]
    [InlineData("", false, false)]
    [InlineData("", true, true)]
    [InlineData("dax=inode", true, true)]
    public void DaxOption_DecidesSDax(string options, bool flag, bool dax)
    {
        using var m = new Ext4Machine(mount: options);
        var ino = m.Files.Create("/f", new FileCreateOptions(Dax: flag)).Value;

        m.Fs.Inodes.FindInCore(ino)!.Mapping.IsDax.ShouldBe(dax);
    }

    /// <summary>IInodeCache: referenced inodes survive a prune; unreferenced ones are evicted; a mount cycle starts empty.</summary>
    [Fact]
    public void InodeCache_PrunesOnlyUnreferenced_AndAMountCycleStartsEmpty()
    {
        using var m = new Ext4Machine();
        var a = m.CreateFile("/a", 1);
        var b = m.CreateFile("/b", 1);
        var held = m.Fs.Inodes.Iget(a).Value;

        m.Machine.Vfs.DropCaches().ShouldBe(1);

        m.Fs.Inodes.InCore.Select(i => i.Number).ShouldBe([a]);
        m.Fs.Inodes.FindInCore(b).ShouldBeNull();
        m.Fs.Inodes.Iput(held);
        m.CycleMount();
        m.Fs.Inodes.InCore.ShouldBeEmpty();
        m.Files.Lookup("/b").Value.ShouldBe(b, "the files survive the mount cycle");
    }

    /// <summary>Unlink of a mapped file keeps its blocks until the last reference goes (an orphan), then frees them.</summary>
    [Fact]
    public void Unlink_WhileReferenced_FreesAtLastIput()
    {
        using var m = new Ext4Machine();
        var ino = m.CreateFile("/a", 2);
        var all = new DeviceExtent(DeviceOffset.Zero, m.Pmem.Disk.Size);
        var held = m.Fs.Inodes.Iget(ino).Value;

        m.Files.Unlink("/a").ShouldBe(Errno.Ok);

        m.Fs.ReverseMap.Query(all).ShouldContain(r => r.Owner.Inode == ino, "blocks stay while referenced");
        m.Fs.Inodes.Iput(held);
        m.Fs.ReverseMap.Query(all).ShouldNotContain(r => r.Owner.Inode == ino);
        m.Files.Lookup("/a").Error.ShouldBe(Errno.ENOENT);
    }
}
