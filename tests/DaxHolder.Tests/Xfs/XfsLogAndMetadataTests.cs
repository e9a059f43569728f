using DaxHolder.Abstractions;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>The external log device (xfs_dax_notify_failure(), xfs_dax_notify_logdev_failure()) and the metadata names scenarios target.</summary>
public sealed class XfsLogAndMetadataTests
{
    [Theory]
    [InlineData("6.1", "xfs_dax_notify_failure (fs/xfs/xfs_notify_failure.c:201)")]
    [InlineData("6.12", "xfs_dax_notify_logdev_failure (fs/xfs/xfs_notify_failure.c:225)")]
    public void ExternalLogHit_IsOndiskLogCorrupt_ShutsDown_Efscorrupted(string profile, string site)
    {
        using var m = new XfsMachine(XfsMachine.Profile(profile), externalLog: true);
        m.LogPmem!.DaxDevice.HolderPlugin.ShouldBe("Xfs", "the log buftarg registers as holder of its own disk");
        var pfn = m.LogPmem.PfnOf(new DeviceOffset(1UL << 20));

        var (_, log) = m.Record(() => m.Machine.Mce.AsyncMachineCheck(pfn).ShouldBe(Errno.EFSCORRUPTED));

        log.ShouldBe([
            .. XfsMachine.FirstMachineCheck,
            "XFS (pmem0): ondisk log corrupt, shutting down fs!",
            $"XFS (pmem0): Corruption of on-disk metadata (0x10) detected at {site}.  Shutting down filesystem.",
            "XFS (pmem0): Please unmount the filesystem and rectify the problem(s)",
            $"Memory failure: {pfn}: recovery action for dax page: Failed",
        ]);
    }

    [Fact]
    public void ExternalLog_PreRemoveOfItsDisk_On612_Returns0_WithoutShuttingDown()
    {
        using var m = new XfsMachine(XfsMachine.Profile("6.12"), externalLog: true);

        m.Record(() => m.Machine.Unbind(m.LogPmem!, m.Spawn(300, "unbinder")));

        m.Mount.SuperBlock.IsShutdown.ShouldBeFalse();
    }

    [Fact]
    public void LocateMetadata_NamesEveryAgStructure_TheLog_AndAFilesInodeChunk()
    {
        using var m = new XfsMachine();
        m.WriteFile("/dir/f", 4096);
        const ulong agBytes = 65408UL * 4096;

        var names = new[] { "sb 1", "agf 1", "agi 1", "agfl 1", "bnobt 1", "cntbt 1", "inobt 1", "finobt 1", "rmapbt 1", "refcountbt 1", "freelist 1", "inodes 0", "log", "inodes /dir/f", "inode /dir/f" };
        var located = names.Select(n => $"{n}: {m.Fs.ReverseMap.LocateMetadata(n).Value}").ToList();

        located.ShouldBe([
            $"sb 1: [0x{agBytes:x}, 0x{agBytes + 0x1000:x})",
            $"agf 1: [0x{agBytes + 0x1000:x}, 0x{agBytes + 0x2000:x})",
            $"agi 1: [0x{agBytes + 0x2000:x}, 0x{agBytes + 0x3000:x})",
            $"agfl 1: [0x{agBytes + 0x3000:x}, 0x{agBytes + 0x4000:x})",
            $"bnobt 1: [0x{agBytes + 0x4000:x}, 0x{agBytes + 0x5000:x})",
            $"cntbt 1: [0x{agBytes + 0x5000:x}, 0x{agBytes + 0x6000:x})",
            $"inobt 1: [0x{agBytes + 0x6000:x}, 0x{agBytes + 0x7000:x})",
            $"finobt 1: [0x{agBytes + 0x7000:x}, 0x{agBytes + 0x8000:x})",
            $"rmapbt 1: [0x{agBytes + 0x8000:x}, 0x{agBytes + 0x9000:x})",
            $"refcountbt 1: [0x{agBytes + 0x9000:x}, 0x{agBytes + 0xa000:x})",
            $"freelist 1: [0x{agBytes + 0xa000:x}, 0x{agBytes + 0x10000:x})",
            "inodes 0: [0x10000, 0x18000)",
            $"log: [0x{(2 * agBytes) + 0xa000:x}, 0x{(2 * agBytes) + 0xa000 + (64UL << 20):x})",
            "inodes /dir/f: [0x10000, 0x18000)",
            "inode /dir/f: [0x10000, 0x11000)",
        ]);
    }

    [Theory]
    [InlineData("superblock")]
    [InlineData("agf 9")]
    [InlineData("inodes /nope")]
    [InlineData("bmbt /dir/f")]
    public void LocateMetadata_UnknownName_IsEnoent_ListingTheNamesItKnows(string name)
    {
        using var m = new XfsMachine();
        m.WriteFile("/dir/f", 4096);

        var located = m.Fs.ReverseMap.LocateMetadata(name);

        located.Error.ShouldBe(Errno.ENOENT);
        located.Message.ShouldNotBeNull().ShouldContain("agf N, agi N, agfl N");
        located.Message.ShouldContain("inodes /path");
    }
}
