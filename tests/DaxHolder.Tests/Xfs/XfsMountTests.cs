using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>Mount options, holder registration and the mount lines per profile (xfs_setup_dax_always(); the lines as Debian's 6.1.192 and 6.12.95 print them).</summary>
public sealed class XfsMountTests
{
    [Fact]
    public void Mount_On61_WarnsExperimental_AndPrintsNoUuid()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.1"));

        m.LogLines.ShouldBe([
            "XFS (pmem0): DAX enabled. Warning: EXPERIMENTAL, use at your own risk",
            "XFS (pmem0): Mounting V5 Filesystem",
            "XFS (pmem0): Ending clean mount",
        ]);
    }

    [Fact]
    public void Mount_On612_HasNoExperimentalLine_AndPrintsTheUuid()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.12"));

        m.LogLines.Count.ShouldBe(2);
        m.LogLines[0].ShouldMatch(@"^XFS \(pmem0\): Mounting V5 Filesystem [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$");
        m.LogLines[1].ShouldBe("XFS (pmem0): Ending clean mount");
    }

    [Fact]
    public void Mount_RegistersAsHolderOfTheDisk_WithHolderOperations_AndUnmountReleasesIt()
    {
        using var m = new XfsMachine();

        m.Pmem.DaxDevice.Holder.ShouldNotBeNull("xfs_alloc_buftarg -> fs_dax_get_by_bdev(bdev, &off, mp, &xfs_dax_holder_operations)");
        m.Pmem.DaxDevice.HolderOperations.ShouldNotBeNull();
        m.Pmem.DaxDevice.HolderPlugin.ShouldBe("Xfs");

        m.Machine.Vfs.Unmount(m.Mount).ShouldBe(Errno.Ok);

        m.Pmem.DaxDevice.Holder.ShouldBeNull("xfs_free_buftarg -> fs_put_dax");
        m.LogLines[^1].ShouldStartWith("XFS (pmem0): Unmounting Filesystem ");
    }

    [Fact]
    public void Mount_WithDaxNever_StillHoldsTheDevice_AsTheBuftargAlwaysDoes()
    {
        using var m = new XfsMachine(mount: "dax=never");

        m.Pmem.DaxDevice.HolderOperations.ShouldNotBeNull("xfs_alloc_buftarg takes the dax_device whatever the dax mode");
        var ino = m.WriteFile("/f", 4096);
        m.Fs.Inodes.FindInCore(ino)!.Mapping.IsDax.ShouldBeFalse();
    }

    [Theory]
    [InlineData("dax", true)]
    [InlineData("dax=always", true)]
    [InlineData("dax=inode", false)]
    [InlineData("", false)]
    public void Mount_DaxOption_DecidesSDax_ForAFileWithoutTheDaxFlag(string options, bool dax)
    {
        using var m = new XfsMachine(mount: options);

        var ino = m.WriteFile("/f", 4096);

        m.Fs.Inodes.FindInCore(ino)!.Mapping.IsDax.ShouldBe(dax);
    }

    [Fact]
    public void Mount_DaxInode_MakesDaxOnlyTheFilesWithFsXflagDax()
    {
        using var m = new XfsMachine(mount: "dax=inode");

        var dax = m.Files.Create("/d", new FileCreateOptions(Dax: true)).Value;
        var plain = m.Files.Create("/p", FileCreateOptions.Default).Value;

        m.Fs.Inodes.FindInCore(dax)!.Mapping.IsDax.ShouldBeTrue();
        m.Fs.Inodes.FindInCore(plain)!.Mapping.IsDax.ShouldBeFalse();
    }

    [Theory]
    [InlineData("noatime", "xfs: Unknown parameter 'noatime'")]
    [InlineData("dax=sometimes", "xfs: Bad value for 'dax'")]
    public void Mount_AnythingButDaxOptions_IsEinval_AndLogged(string options, string line)
    {
        using var m = new XfsMachine(mounted: false);

        var mounted = m.MountFs(options);

        mounted.Error.ShouldBe(Errno.EINVAL);
        mounted.Message.ShouldNotBeNull().ShouldContain(options.Split('=')[0]);
        m.LogLines.ShouldBe([line]);
        m.Pmem.DaxDevice.Holder.ShouldBeNull("a refused mount holds nothing");
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void Mount_DaxWithReflinkOnAPartition_IsRefused_OnBothProfiles(string profile)
    {
        using var m = new XfsMachine(XfsMachine.Profile(profile), mounted: false, partitionStart: PageGeometry.PmdSize, partitionSize: 512UL << 20);

        var mounted = m.MountFs("dax=always");

        mounted.Error.ShouldBe(Errno.EINVAL);
        m.LogLines.ShouldBe(["XFS (pmem0p1): DAX and reflink cannot work with multi-partitions!"]);
        m.Pmem.DaxDevice.Holder.ShouldBeNull("the buftarg is freed with the failed mount");
    }

    [Fact]
    public void Mount_DaxWithoutReflinkOnAPartition_IsAllowed_AndTheOffsetIsThePartitions()
    {
        using var m = new XfsMachine(mkfs: "reflink=0,rmapbt=1", partitionStart: PageGeometry.PmdSize, partitionSize: 512UL << 20);

        m.WriteFile("/f", 4096);

        m.OffsetOf("/f", 0).Value.ShouldBe(PageGeometry.PmdSize + (24 * 4096), "bt_dax_part_off plus AG 0 block 24, the first block after the root inode chunk");
    }

    [Fact]
    public void Mount_SecondPartitionOfAHeldDisk_GetsNoDax_AndDaxAlwaysTurnsItselfOff()
    {
        using var m = new XfsMachine(mkfs: "reflink=0,rmapbt=1", partitionStart: PageGeometry.PmdSize, partitionSize: 400UL << 20);
        var second = m.Pmem.AddPartition(new DeviceOffset(512UL << 20), new ByteLength(400UL << 20));
        var image = DaxHolder.Kernel.Fs.Vfs.Mkfs(XfsMachine.Type, second, FsOptions.Parse("reflink=0,rmapbt=1")).Value;
        var mark = m.Kernel.Log.Mark;

        var other = m.Machine.Vfs.Mount(XfsMachine.Type, image, second, FsOptions.Parse("dax=always")).Value;

        m.Kernel.Log.Since(mark)[0].Text.ShouldBe("XFS (pmem0p2): DAX unsupported by block device. Turning off DAX.");
        var ino = other.FileSystem.Files.Create("/g", FileCreateOptions.Default).Value;
        other.FileSystem.Inodes.FindInCore(ino)!.Mapping.IsDax.ShouldBeFalse();
    }

    [Fact]
    public void Mount_OfAnAlreadyMountedFilesystem_IsRefusedAsADuplicateUuid()
    {
        using var m = new XfsMachine(mount: "");
        var mark = m.Kernel.Log.Mark;

        var again = m.Machine.Vfs.Mount(XfsMachine.Type, m.Image, m.Device, FsOptions.Empty);

        again.Error.ShouldBe(Errno.EINVAL);
        m.Kernel.Log.Since(mark).Single().Text.ShouldMatch(@"^XFS \(pmem0\): Filesystem has duplicate UUID \S+ - can't mount$");
    }

    [Fact]
    public void CycleMount_KeepsTheFiles_AndStartsWithAnEmptyInodeCache()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/dir/f", 65536);
        var before = m.OffsetOf("/dir/f", 3);

        m.CycleMount();

        m.Fs.Inodes.InCore.ShouldBeEmpty("a mount starts with no inode in core");
        m.InodeOf("/dir/f").ShouldBe(ino);
        m.OffsetOf("/dir/f", 3).ShouldBe(before);
        m.Fs.Inodes.InCore.ShouldBeEmpty("a lookup and an iomap report do not bring the inode into core");
    }
}
