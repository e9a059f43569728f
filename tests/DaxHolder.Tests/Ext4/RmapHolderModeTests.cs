using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Ext4.Support;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>
/// The opt-in proposal (notify_failure=rmap): holder operations whose notify_failure walks the
/// derived rmap as xfs_dax_notify_failure walks rmapbt; metadata goes to ext4's
/// error handling (fs/ext4/super.c: __ext4_error, ext4_handle_error), the journal to
/// jbd2_journal_abort. Modelled, not shipped by any kernel.
/// </summary>
public sealed class RmapHolderModeTests
{
    private const string Proposal = "DaxHolder model: ext4 notify_failure from rmap (proposal, not in any kernel)";

    /// <summary>The mount prints the proposal marker before the kernel's own mount line, and registers a holder with operations.</summary>
    [Fact]
    public void Mount_SaysItIsAProposal_AndRegistersAHolder()
    {
        using var m = new Ext4Machine(mount: "dax,notify_failure=rmap");

        m.LogLines.ShouldContain(Proposal);
        m.Pmem.DaxDevice.HolderOperations.ShouldNotBeNull();
    }

    /// <summary>xfs_dax_failure_fn() and mf_dax_kill_procs() as proposed: a mapped file page goes to mf_dax_kill_procs with its pgoff and count 1; the injector gets AR; "Recovered".</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void FilePage_GoesToMfDaxKillProcs_WithItsPgoff(string profile)
    {
        using var m = new Ext4Machine(profile, mount: "dax,notify_failure=rmap");
        var ino = m.CreateFile("/f", 4);
        var p = m.Spawn(100, "app");
        var v = m.MapShared(p, "/f", 4, huge: false);
        m.Touch(p, v, 3);

        var (decisions, log) = m.Record(() => m.Madvise(p, v, 3).ShouldBe(Errno.Ok));

        var kill = decisions.OfType<DaxKillProcsCalled>().ShouldHaveSingleItem();
        (kill.Inode, kill.Index.Value, kill.Count.Value).ShouldBe((ino, 3UL, 1UL));
        TestMachine.Signals(decisions).ShouldHaveSingleItem().Code.ShouldBe(Signals.BUS_MCEERR_AR);
        decisions.OfType<GenericPathTaken>().ShouldBeEmpty();
        log[^1].ShouldEndWith("recovery action for dax page: Recovered");
    }

    /// <summary>xfs_dax_failure_fn()'s XFS_IGET_INCORE lookup as XFS does it: an owner not in core is skipped, so a page of an evicted file is "Recovered" with nobody told.</summary>
    [Fact]
    public void FileNotInCore_IsSkipped()
    {
        using var m = new Ext4Machine(mount: "dax,notify_failure=rmap");
        m.CreateFile("/f", 1);
        var pfn = m.PfnOf("/f", 0);
        m.CycleMount("dax,notify_failure=rmap");
        m.Fs.Inodes.InCore.ShouldBeEmpty("a mount cycle starts with no inode in core");
        var writer = m.Spawn(100, "inject");

        var rc = Errno.EIO;
        var (decisions, _) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, pfn));

        rc.ShouldBe(Errno.Ok);
        decisions.OfType<DaxKillProcsCalled>().ShouldBeEmpty();
    }

    /// <summary>xfs_dax_failure_fn() (free space has no record) as proposed: a punched block's failure does nothing and is "Recovered".</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void FreedBlock_HasNoOwner_IsRecovered(string profile)
    {
        using var m = new Ext4Machine(profile, mount: "dax,notify_failure=rmap");
        var ino = m.CreateFile("/f", 2);
        var pfn = m.PfnOf("/f", 1);
        m.Files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, new FileOffset(PageGeometry.PageSize), ByteLength.Page).ShouldBe(Errno.Ok);
        var writer = m.Spawn(100, "inject");

        var rc = Errno.EIO;
        var (decisions, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, pfn));

        rc.ShouldBe(Errno.Ok);
        decisions.OfType<DaxKillProcsCalled>().ShouldBeEmpty();
        log[^1].ShouldEndWith("recovery action for dax page: Recovered");
    }

    /// <summary>errors=continue: the __ext4_error line, the filesystem carries on; the event is "Failed" (-EFSCORRUPTED) because the block is lost.</summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void MetadataBlock_ErrorsContinue_LogsExt4Error_AndCarriesOn(string profile)
    {
        using var m = new Ext4Machine(profile, mount: "dax,notify_failure=rmap");
        var (rc, log) = Poison(m, "block-bitmap 1");

        rc.ShouldBe(Errno.EFSCORRUPTED);
        log.ShouldContain("EXT4-fs error (device pmem0): ext4_dax_notify_failure:0: comm ?: memory failure in block bitmap at block 130");
        log.ShouldNotContain(l => l.StartsWith("Aborting journal", StringComparison.Ordinal));
        m.CreateFile("/after", 1).Value.ShouldBeGreaterThan(0UL, "errors=continue keeps the filesystem writable");
    }

    /// <summary>errors=remount-ro: ext4_handle_error aborts the journal ("Aborting journal on device pmem0-8.") and prints "Remounting filesystem read-only"; later changes fail with -EROFS.</summary>
    [Fact]
    public void MetadataBlock_ErrorsRemountRo_AbortsJournal_AndRefusesWrites()
    {
        using var m = new Ext4Machine(mount: "dax,errors=remount-ro,notify_failure=rmap");
        var ino = m.CreateFile("/f", 1);

        var (rc, log) = Poison(m, "inode-table 0");

        rc.ShouldBe(Errno.EFSCORRUPTED);
        log.Where(l => !l.StartsWith("Memory failure", StringComparison.Ordinal) && !l.StartsWith("Injecting", StringComparison.Ordinal)).ShouldBe([
            "EXT4-fs error (device pmem0): ext4_dax_notify_failure:0: comm ?: memory failure in inode table at block 145",
            "Aborting journal on device pmem0-8.",
            "EXT4-fs (pmem0): Remounting filesystem read-only",
        ]);
        m.Files.Write(ino, FileOffset.Zero, new ByteLength(2 * PageGeometry.PageSize)).Error.ShouldBe(Errno.EROFS);
        m.Files.Read(ino, FileOffset.Zero, ByteLength.Page).IsOk.ShouldBeTrue("reads go on");
    }

    /// <summary>errors=panic: the journal aborts, then panic("EXT4-fs (device %s): panic forced after error").</summary>
    [Fact]
    public void MetadataBlock_ErrorsPanic_Panics()
    {
        using var m = new Ext4Machine(mount: "dax,errors=panic,notify_failure=rmap");

        var (_, log) = Poison(m, "gdt 0");

        log.ShouldContain("Kernel panic - not syncing: EXT4-fs (device pmem0): panic forced after error");
        m.Fs.SuperBlock.IsShutdown.ShouldBeTrue();
    }

    /// <summary>A journal hit aborts the journal (jbd2_journal_abort), with no ext4_error line; changes then fail with -EROFS.</summary>
    [Fact]
    public void JournalBlock_AbortsTheJournal()
    {
        using var m = new Ext4Machine(mount: "dax,notify_failure=rmap");

        var (rc, log) = Poison(m, "journal");

        rc.ShouldBe(Errno.EFSCORRUPTED);
        log.ShouldContain("Aborting journal on device pmem0-8.");
        log.ShouldNotContain(l => l.StartsWith("EXT4-fs error", StringComparison.Ordinal));
        m.Files.Create("/g", FileCreateOptions.Default).Error.ShouldBe(Errno.EROFS);
    }

    /// <summary>A file's extent tree block is metadata: ext4_error_inode names the inode and block.</summary>
    [Fact]
    public void ExtentBlock_IsMetadata_NamingItsInode()
    {
        using var m = new Ext4Machine(mount: "dax,notify_failure=rmap");
        var ino = Fragmented(m, "/frag", 5);

        var (rc, log) = Poison(m, "extent-block /frag");

        rc.ShouldBe(Errno.EFSCORRUPTED);
        log.ShouldContain(l => l.StartsWith($"EXT4-fs error (device pmem0): ext4_dax_notify_failure:0: inode #{ino}: block ", StringComparison.Ordinal) && l.EndsWith("memory failure in extent tree block", StringComparison.Ordinal));
    }

    /// <summary>xfs_dax_notify_ddev_failure() as XFS does it (6.12, MF_MEM_PRE_REMOVE): every mapper is told, metadata is ignored, the filesystem shuts down inside a kernel freeze.</summary>
    [Fact]
    public void Unbind_On612_RevokesMappings_AndShutsDown()
    {
        using var m = new Ext4Machine("6.12", mount: "dax,notify_failure=rmap");
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "app");
        var v = m.MapShared(p, "/f", 1, huge: false);
        m.Touch(p, v);

        var (decisions, log) = m.Record(() => m.Machine.Unbind(m.Pmem, null));

        TestMachine.Signals(decisions).ShouldHaveSingleItem().Code.ShouldBe(Signals.BUS_MCEERR_AO);
        log.ShouldContain("EXT4-fs (pmem0): shut down requested (2)");
        log.ShouldNotContain(l => l.StartsWith("EXT4-fs error", StringComparison.Ordinal), "pre-remove ignores metadata");
        m.Fs.SuperBlock.IsShutdown.ShouldBeTrue();
    }

    internal static (Errno Rc, IReadOnlyList<string> Log) Poison(Ext4Machine m, string metadata)
    {
        var writer = m.Spawn(900, "inject");
        var pfn = m.PfnAt(m.Metadata(metadata));
        var rc = Errno.Ok;
        var (_, log) = m.Record(() => rc = m.Machine.HwpoisonInject.CorruptPfn(writer, pfn));
        return (rc, log);
    }

    /// <summary>A file of <paramref name="extents"/> one-block extents that cannot merge (every other block written).</summary>
    internal static InodeNumber Fragmented(Ext4Machine m, string path, int extents)
    {
        var ino = m.Files.Create(path, FileCreateOptions.Default).Value;
        var other = m.Files.Create(path + ".gap", FileCreateOptions.Default).Value;
        for (var i = 0; i < extents; i++)
        {
            m.Files.Write(ino, new FileOffset((ulong)i * 2 * PageGeometry.PageSize), ByteLength.Page).IsOk.ShouldBeTrue();
            m.Files.Write(other, new FileOffset((ulong)i * PageGeometry.PageSize), ByteLength.Page).IsOk.ShouldBeTrue();
        }

        return ino;
    }
}
