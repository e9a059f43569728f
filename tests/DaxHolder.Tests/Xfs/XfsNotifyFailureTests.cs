using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>xfs_dax_notify_failure and xfs_dax_failure_fn (fs/xfs/xfs_notify_failure.c) on both profiles.</summary>
public sealed class XfsNotifyFailureTests
{
    [Theory]
    [InlineData("6.1", 169)]
    [InlineData("6.12", 318)]
    public void NotifyFailure_OnTheAgf_ShutsDownCorruptOndisk_AndTheEventFails(string profile, int line)
    {
        using var m = new XfsMachine(XfsMachine.Profile(profile));
        var agf = m.Locate("agf 1");

        var (decisions, log) = m.Record(() => m.MachineCheckAt(agf).ShouldBe(Errno.EFSCORRUPTED));

        log.ShouldBe([
            .. XfsMachine.FirstMachineCheck,
            $"XFS (pmem0): Corruption of on-disk metadata (0x10) detected at {(line == 169 ? "xfs_dax_notify_failure" : "xfs_dax_notify_ddev_failure")} (fs/xfs/xfs_notify_failure.c:{line}).  Shutting down filesystem.",
            "XFS (pmem0): Please unmount the filesystem and rectify the problem(s)",
            $"Memory failure: {m.Pmem.PfnOf(agf)}: recovery action for dax page: Failed",
        ]);
        decisions.OfType<FileSystemChanged>().ShouldHaveSingleItem().Change.ShouldBe("shut down: SHUTDOWN_CORRUPT_ONDISK (0x10): Corruption of on-disk metadata");
        m.Mount.SuperBlock.IsShutdown.ShouldBeTrue();
    }

    [Fact]
    public void NotifyFailure_AfterAShutdown_FileOperationsAndOpensFailWithEio()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 8192);
        m.MachineCheckAt(m.Locate("agi 0"));

        m.Files.Write(ino, FileOffset.Zero, ByteLength.Page).Error.ShouldBe(Errno.EIO);
        m.Files.Read(ino, FileOffset.Zero, ByteLength.Page).Error.ShouldBe(Errno.EIO);
        m.Files.Create("/g", FileCreateOptions.Default).Error.ShouldBe(Errno.EIO);
        m.Files.Lookup("/f").Error.ShouldBe(Errno.EIO);
        m.Files.Fallocate(ino, FallocateMode.Allocate, FileOffset.Zero, ByteLength.Page).ShouldBe(Errno.EIO);
        m.Files.Unlink("/f").ShouldBe(Errno.EIO);
        Vfs.Open(m.Mount, "/f").Error.ShouldBe(Errno.EIO);
        m.Fs.Iomap.IomapBegin(ino, FileOffset.Zero, ByteLength.Page, IomapRequest.Read).Error.ShouldBe(Errno.EIO);
    }

    [Fact]
    public void NotifyFailure_RangeOverAnInodeChunkAndAFile_KillsTheFilesMappersFirst_ThenShutsDown()
    {
        using var m = new XfsMachine();
        m.WriteFile("/f", 4096);
        var early = m.Spawn(100, "early");
        XfsMachine.SetEarlyKill(early);
        var vma = m.MapShared(early, "/f");
        m.Touch(early, vma);
        var chunkEnd = m.Fs.ReverseMap.LocateMetadata("inodes 0").Value.End;
        m.OffsetOf("/f", 0).ShouldBe(chunkEnd, "the first file block follows the root inode chunk");

        var (decisions, log) = m.Record(() => m.Pmem.DaxDevice.NotifyFailure(new DeviceOffset(chunkEnd.Value - 4096), new ByteLength(8192), MfFlags.None).ShouldBe(Errno.EFSCORRUPTED));

        var signal = XfsMachine.Signals(decisions).ShouldHaveSingleItem();
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AO, "an early-kill mapper of the file block is signalled during the walk");
        var order = decisions.Select(d => d switch { SignalSent => "signal", FileSystemChanged => "shutdown", _ => null }).OfType<string>().ToList();
        order.ShouldBe(["signal", "shutdown"], "6.1+: shut down only after scanning all mappings (want_shutdown)");
        log[^2].ShouldContain("Corruption of on-disk metadata (0x10)");
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void NotifyFailure_InodeNotInCore_IsSkipped_AndTheEventRecovers(string profile)
    {
        using var m = new XfsMachine(XfsMachine.Profile(profile));
        var ino = m.WriteFile("/f", 4096);
        m.CycleMount();
        var block = m.OffsetOf("/f", 0);
        m.Fs.Inodes.FindInCore(ino).ShouldBeNull();

        var (decisions, log) = m.Record(() => m.MachineCheckAt(block).ShouldBe(Errno.Ok));

        decisions.OfType<DaxKillProcsCalled>().ShouldBeEmpty("xfs_iget(XFS_IGET_INCORE) gives -ENODATA: skip it");
        log.ShouldBe([.. XfsMachine.FirstMachineCheck, $"Memory failure: {m.Pmem.PfnOf(block)}: recovery action for dax page: Recovered"]);
        m.Mount.SuperBlock.IsShutdown.ShouldBeFalse();
    }

    [Fact]
    public void NotifyFailure_InodeInCoreButUnmapped_CallsMfDaxKillProcs_WhichFindsNoEntry()
    {
        using var m = new XfsMachine();
        var ino = m.WriteFile("/f", 4096);

        var (decisions, _) = m.Record(() => m.MachineCheckAt(m.OffsetOf("/f", 0)).ShouldBe(Errno.Ok));

        var call = decisions.OfType<DaxKillProcsCalled>().ShouldHaveSingleItem("the inode is recently used, so in core");
        call.Inode.ShouldBe(ino);
        decisions.OfType<PageExamined>().ShouldHaveSingleItem().Entry.ShouldBe("no entry");
    }

    [Fact]
    public void NotifyFailure_FreeBlock_HasNoOwner_AndRecovers()
    {
        using var m = new XfsMachine();
        var free = m.Locate("inodes 0").Value + (1UL << 20);
        m.Fs.ReverseMap.Query(new DeviceExtent(new DeviceOffset(free), ByteLength.Page)).ShouldBeEmpty();

        var (_, log) = m.Record(() => m.MachineCheckAt(new DeviceOffset(free)).ShouldBe(Errno.Ok));

        log.ShouldBe([.. XfsMachine.FirstMachineCheck, $"Memory failure: {m.Pmem.PfnOf(new DeviceOffset(free))}: recovery action for dax page: Recovered"]);
    }

    [Fact]
    public void NotifyFailure_NotBorn_IsEio_WithTheWarning_AndNoFallback()
    {
        using var m = new XfsMachine(mounted: false);
        var services = TestMachine.ServicesFor(m.Machine, XfsMachine.Plugin);
        var superBlock = new SuperBlock(m.Kernel, m.Device.Name, "xfs");
        var mounted = XfsMachine.Type.Type.Mount(new MountRequest(m.Image, FsOptions.Parse("dax"), superBlock, services));
        mounted.IsOk.ShouldBeTrue("fill_super returned, but the VFS has not set SB_BORN");
        var agf = mounted.Value.ReverseMap.LocateMetadata("agf 0").Value.Start;
        var writer = m.Spawn(100, "inject");

        var (decisions, log) = m.Record(() => m.Machine.HwpoisonInject.CorruptPfn(writer, m.Pmem.PfnOf(agf)).ShouldBe(Errno.EIO));

        log[1].ShouldBe("XFS (pmem0): filesystem is not ready for notify_failure()!");
        log[^1].ShouldEndWith("recovery action for dax page: Failed");
        decisions.OfType<GenericPathTaken>().ShouldBeEmpty("-EIO does not fall back (memory_failure_dev_pagemap())");
    }

    [Fact]
    public void NotifyFailure_WithoutRmapbt_IsEopnotsupp_AndTheGenericPathKillsTheInjector()
    {
        using var m = new XfsMachine(mkfs: "reflink=1,rmapbt=0");
        m.WriteFile("/f", 4096);
        var p = m.Spawn(100, "injector");
        var vma = m.MapShared(p, "/f");
        m.Touch(p, vma);

        var (decisions, log) = m.Record(() => m.Madvise(p, vma).ShouldBe(Errno.Ok));

        decisions.OfType<HolderNotified>().ShouldHaveSingleItem().Result.ShouldBe(Errno.EOPNOTSUPP);
        decisions.OfType<GenericPathTaken>().ShouldHaveSingleItem();
        XfsMachine.Signals(decisions).ShouldHaveSingleItem().Code.ShouldBe(Signals.BUS_MCEERR_AR);
        log.ShouldNotContain(l => l.StartsWith("XFS", StringComparison.Ordinal), "xfs_debug prints nothing on Debian's non-debug kernels");
    }

    [Fact]
    public void NotifyFailure_OutsideThePartition_IsEnxio_Failed_AndNobodyIsShutDown()
    {
        using var m = new XfsMachine(mkfs: "reflink=0,rmapbt=1", partitionStart: 64UL << 20, partitionSize: 512UL << 20);
        var before = new DeviceOffset(4096);

        var (_, log) = m.Record(() => m.MachineCheckAt(before).ShouldBe(Errno.ENXIO));

        log.ShouldBe([.. XfsMachine.FirstMachineCheck, $"Memory failure: {m.Pmem.PfnOf(before)}: recovery action for dax page: Failed"]);
        m.Mount.SuperBlock.IsShutdown.ShouldBeFalse();
    }

    [Fact]
    public void NotifyFailure_OnAPartition_TranslatesTheOffset_SoTheRightFileIsFound()
    {
        using var m = new XfsMachine(mkfs: "reflink=0,rmapbt=1", partitionStart: 64UL << 20, partitionSize: 512UL << 20);
        var ino = m.WriteFile("/f", 4096);

        var (decisions, _) = m.Record(() => m.MachineCheckAt(m.OffsetOf("/f", 0)).ShouldBe(Errno.Ok));

        decisions.OfType<DaxKillProcsCalled>().ShouldHaveSingleItem().Inode.ShouldBe(ino);
    }

    [Theory]
    [InlineData("6.1", "-EBUSY", true)]
    [InlineData("6.12", "0", false)]
    public void NotifyFailure_NonDaxInodeInCore_61CallsMfDaxKillProcs_GetsEbusy_AndShutsDown_612Skips(string profile, string result, bool shutdown)
    {
        using var m = new XfsMachine(XfsMachine.Profile(profile), mount: "dax=never");
        m.WriteFile("/f", 4096);
        var block = m.OffsetOf("/f", 0);

        var (decisions, _) = m.Record(() => m.MachineCheckAt(block).ToKernelString().ShouldBe(result));

        decisions.OfType<DaxKillProcsCalled>().Count().ShouldBe(shutdown ? 1 : 0, "6.7+ asks dax_mapping() first");
        m.Mount.SuperBlock.IsShutdown.ShouldBe(shutdown);
    }

    [Fact]
    public void NotifyFailure_SingleBlock_OnA65LikeKernel_KillsNobody_TheOneBlockShortCountOf5cf32f63b0f4()
    {
        var like65 = new KernelProfile("6.5-like", new KernelVersion(6, 5, 0), [KernelFeature.XfsInclusiveRangeEnd, KernelFeature.DaxSharedOnReadFault, KernelFeature.DaxFaultReportsHwpoison]);
        using var m = new XfsMachine(like65);
        m.WriteFile("/f", 4096);
        var p = m.Spawn(100, "injector");
        var vma = m.MapShared(p, "/f");
        m.Touch(p, vma);

        var (decisions, _) = m.Record(() => m.Madvise(p, vma).ShouldBe(Errno.Ok));

        decisions.OfType<DaxKillProcsCalled>().ShouldHaveSingleItem().Count.ShouldBe(new PageCount(0), "blockcount = min(agf_length, high) - low is 0 for a one-block failure");
        XfsMachine.Signals(decisions).ShouldBeEmpty("nobody killed: the xfs/55x failures of 2023 (fixed by 3c90c01e4934)");
    }
}
