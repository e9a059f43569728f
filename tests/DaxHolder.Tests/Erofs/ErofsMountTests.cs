using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs;
using DaxHolder.Tests.Erofs.Support;

namespace DaxHolder.Tests.Erofs;

/// <summary>
/// erofs_fc_fill_super's DAX lines per profile, which layouts erofs_read_inode makes S_DAX, and
/// a read-only filesystem refusing every change with -EROFS.
/// </summary>
public sealed class ErofsMountTests
{
    private static readonly SourceFile[] Tree =
    [
        ErofsMachine.Unique("/plain", 8192),
        ErofsMachine.Unique("/tail", 8292),
    ];

    /// <summary>erofs_fc_set_dax_mode warns EXPERIMENTAL before 6.10 ("erofs: drop experimental warning for FSDAX"); the mounted line is erofs_info's on both.</summary>
    [Theory]
    [InlineData("6.1", "dax=always", "erofs: DAX enabled. Warning: EXPERIMENTAL, use at your own risk|erofs: (device pmem0): mounted with root inode @ nid 36.")]
    [InlineData("6.1", "dax", "erofs: DAX enabled. Warning: EXPERIMENTAL, use at your own risk|erofs: (device pmem0): mounted with root inode @ nid 36.")]
    [InlineData("6.12", "dax=always", "erofs: (device pmem0): mounted with root inode @ nid 36.")]
    [InlineData("6.1", "dax=never", "erofs: (device pmem0): mounted with root inode @ nid 36.")]
    [InlineData("6.12", "", "erofs: (device pmem0): mounted with root inode @ nid 36.")]
    [InlineData("6.12", "dax=always,notify_failure=rmap", "DaxHolder model: erofs notify_failure from rmap (proposal, not in any kernel)|erofs: (device pmem0): mounted with root inode @ nid 36.")]
    public void MountLines_PerProfileAndDaxOption(string profile, string mount, string lines)
    {
        using var m = new ErofsMachine(Tree, profile, mount: mount);

        m.LogLines.ShouldBe(lines.Split('|'));
    }

    /// <summary>fs/erofs/inode.c: S_DAX only under dax=always, for FLAT_PLAIN and (since 6.5 and 6.1.40) CHUNK_BASED; never FLAT_INLINE or compressed.</summary>
    [Theory]
    [InlineData("6.1", "", "dax=always", true, false)]
    [InlineData("6.12", "", "dax=always", true, false)]
    [InlineData("6.12", "noinline_data", "dax=always", true, true)]
    [InlineData("6.1", "chunksize=4096", "dax=always", true, true)]
    [InlineData("6.12", "chunksize=4096", "dax=always", true, true)]
    [InlineData("6.1", "z=lz4", "dax=always", false, false)]
    [InlineData("6.12", "z=lz4", "dax=always", false, false)]
    [InlineData("6.12", "", "dax=never", false, false)]
    [InlineData("6.12", "chunksize=4096", "", false, false)]
    public void SDax_FollowsTheLayout(string profile, string mkfs, string mount, bool plainDax, bool tailDax)
    {
        using var m = new ErofsMachine(Tree, profile, mkfs, mount);

        IsDax(m, "/plain").ShouldBe(plainDax);
        IsDax(m, "/tail").ShouldBe(tailDax);
    }

    [Theory]
    [InlineData("dax=inode", "Bad value for 'dax'")]
    [InlineData("errors=continue", "Unknown parameter 'errors'")]
    [InlineData("notify_failure=walk", "Bad value for 'notify_failure'")]
    public void BadMountOptions_AreRefusedWithEinval(string mount, string message)
    {
        using var m = new ErofsMachine(Tree);
        m.Machine.Vfs.Unmount(m.Mount).ShouldBe(Errno.Ok);

        var result = m.Machine.Vfs.Mount(ErofsMachine.Type, m.Image, m.Pmem.Disk, FsOptions.Parse(mount));

        result.Error.ShouldBe(Errno.EINVAL);
        result.Message.ShouldNotBeNull().ShouldContain(message);
    }

    /// <summary>mnt_want_write on an SB_RDONLY superblock: every change is -EROFS; reads work.</summary>
    [Fact]
    public void ReadOnly_EveryChangeIsErofs_ReadsWork()
    {
        using var m = new ErofsMachine(Tree);
        var ino = m.Files.Lookup("/plain").Value;

        m.Files.Create("/new", FileCreateOptions.Default).Error.ShouldBe(Errno.EROFS);
        m.Files.Write(ino, FileOffset.Zero, ByteLength.Page).Error.ShouldBe(Errno.EROFS);
        m.Files.Truncate(ino, ByteLength.Zero).ShouldBe(Errno.EROFS);
        m.Files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, FileOffset.Zero, ByteLength.Page).ShouldBe(Errno.EROFS);
        m.Files.Unlink("/plain").ShouldBe(Errno.EROFS);
        m.Files.Clone(ino, m.Files.Lookup("/tail").Value).ShouldBe(Errno.EROFS);
        m.Files.SetXattr(ino, "user.x", new ByteLength(16)).ShouldBe(Errno.EROFS);
        m.Files.RemoveXattr(ino, "user.x").ShouldBe(Errno.EROFS);
        m.Files.Read(ino, FileOffset.Zero, new ByteLength(16384)).Value.ShouldBe(new ByteLength(8192));
        m.Files.Lookup("/missing").Error.ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void CycleMount_EmptiesTheInodeCache_TheImageStays()
    {
        using var m = new ErofsMachine(Tree);
        var ino = m.Files.Lookup("/plain").Value;
        m.Fs.Inodes.Iput(m.Fs.Inodes.Iget(ino).Value);

        m.CycleMount();

        m.Fs.Inodes.InCore.ShouldBeEmpty();
        m.Files.Lookup("/plain").Value.ShouldBe(ino);
    }

    private static bool IsDax(ErofsMachine m, string path)
    {
        var inode = m.Fs.Inodes.Iget(m.Files.Lookup(path).Value).Value;
        m.Fs.Inodes.Iput(inode);
        return ((AddressSpace)inode.Mapping).IsDax;
    }
}
