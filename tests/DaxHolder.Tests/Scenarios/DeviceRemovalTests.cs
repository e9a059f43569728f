using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// Removing the pmem device under a mounted filesystem (drivers/nvdimm/pmem.c: pmem_release_disk(),
/// then mm/memremap.c: memunmap_pages()), and what the filesystem and later calls see.
/// </summary>
public sealed class DeviceRemovalTests
{
    private const string Ext4 = """
        name: removal
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem: { type: ext4, mount: { dax: always } }
        files:
          - { path: /a, size: 16KiB }
        steps:
          - spawn: { task: admin, comm: ndctl, pid: 6000 }
          - spawn: { task: ua, comm: user-a, pid: 6001, sigbus: handler }
          - mmap: { task: ua, as: a, file: /a, length: 16KiB }
          - touch: { task: ua, map: a, length: 16KiB }
          - unbind: { task: admin }
          - pwrite: { file: /a, offset: 0, length: 4KiB }
          - exit: { task: ua }
          - cycle-mount:
        """;

    /// <summary>fs/super.c: fs_bdev_mark_dead() -&gt; ext4_shutdown() (87efb39075be, f5db130d4443: 6.5+): "shut down requested (2)", the journal aborted, later I/O -EIO.</summary>
    [Fact]
    public void Ext4_On612_IsToldThroughMarkDead_ShutsDown_AndLaterIoIsEio_FsBdevMarkDead()
    {
        var run = ScenarioHarness.Run(Ext4, "kernel=6.12").ShouldHaveSingleItem();

        var unbind = run.Steps.Single(s => s.Kind == "unbind");
        unbind.Log.ShouldContain("EXT4-fs (pmem0): shut down requested (2)");
        unbind.Log.ShouldContain("Aborting journal on device pmem0-8.");
        run.Steps.Single(s => s.Kind == "pwrite").Result.Value.ShouldBe("-EIO");
    }

    /// <summary>6.1 has no fs holder operations: ext4 hears nothing of the removal.</summary>
    [Fact]
    public void Ext4_On61_IsNotTold()
    {
        var run = ScenarioHarness.Run(Ext4, "kernel=6.1").ShouldHaveSingleItem();

        run.Steps.Single(s => s.Kind == "unbind").Log.ShouldNotContain(l => l.Contains("shut down requested", StringComparison.Ordinal));
    }

    /// <summary>
    /// fs/dax.c: dax_disassociate_entry() at unmount reads the struct page memunmap_pages() removed:
    /// the umount dies in an oops (as Debian's 6.1.192 and 6.12.95 were seen to do); the device is
    /// gone, so the mount after it finds no device node (-ENOENT).
    /// </summary>
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void UmountAfterUnbind_WithDaxEntriesLeft_OopsesInDaxDisassociateEntry_ThenMountIsEnoent(string kernel)
    {
        var run = ScenarioHarness.Run(Ext4, $"kernel={kernel}").ShouldHaveSingleItem();

        var cycle = run.Steps.Single(s => s.Kind == "cycle-mount");
        cycle.Log.ShouldContain(l => l.StartsWith("BUG: unable to handle page fault for address: ", StringComparison.Ordinal));
        cycle.Result.Prefix.ShouldStartWith("umount: killed by SIGKILL in the oops");
        cycle.Result.Value.ShouldBe("-ENOENT");
    }

    /// <summary>XFS's pre-remove with rmapbt (6.7+) invalidated the entries: the unmount is clean, and the removed device still cannot be mounted.</summary>
    [Fact]
    public void Xfs_On612_UnmountsCleanlyAfterPreRemove_ButCannotMountTheRemovedDevice()
    {
        var run = ScenarioHarness.Run(Ext4.Replace("type: ext4,", "type: xfs, mkfs: { rmapbt: 1 },", StringComparison.Ordinal), "kernel=6.12").ShouldHaveSingleItem();

        var cycle = run.Steps.Single(s => s.Kind == "cycle-mount");
        cycle.Log.ShouldNotContain(l => l.StartsWith("BUG:", StringComparison.Ordinal));
        cycle.Result.ShouldBe(StepResult.Of(DaxHolder.Abstractions.Errno.ENOENT, "/dev/pmem0: the block device was removed (lookup_bdev finds no device node)") with { Prefix = "mount: " });
    }
}
