using DaxHolder.Abstractions;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>
/// fs/xfs/xfs_extent_busy.c: a freed extent stays busy until the log checkpoint that freed it is on
/// disk; the allocator (xfs_extent_busy_trim()) does not hand it out again before then, and forces
/// the log (xfs_extent_busy_flush()) only when nothing else fits.
/// </summary>
public sealed class XfsBusyExtentTests
{
    [Fact]
    public void AFileWrittenRightAfterADelete_LandsElsewhere_XfsExtentBusyTrim()
    {
        using var m = new XfsMachine();
        m.WriteFile("/old", 16384);
        var freed = m.OffsetOf("/old", 0);
        m.Files.Unlink("/old").ShouldBe(Errno.Ok);

        m.WriteFile("/new", 16384);

        m.OffsetOf("/new", 0).ShouldNotBe(freed, "the freed blocks are busy until the log commits");
        m.Fs.ReverseMap.Query(new DeviceExtent(freed, new ByteLength(16384))).ShouldBeEmpty("poison there finds no owner: free space");
    }

    /// <summary>xfs_log_unmount() forces the log: after a mount cycle the blocks are free for anyone again.</summary>
    [Fact]
    public void AfterTheLogIsForcedByUnmount_TheFreedBlocksAreReused_XfsExtentBusyClear()
    {
        using var m = new XfsMachine();
        m.WriteFile("/old", 16384);
        var freed = m.OffsetOf("/old", 0);
        m.Files.Unlink("/old").ShouldBe(Errno.Ok);
        m.CycleMount();

        m.WriteFile("/new", 16384);

        m.OffsetOf("/new", 0).ShouldBe(freed, "first fit from the same target finds the freed extent, no longer busy");
    }

    /// <summary>xfs_extent_busy_flush(): when only busy space is left, the allocator forces the log and takes it.</summary>
    [Fact]
    public void WhenOnlyBusySpaceFits_TheLogIsForcedAndTheAllocationSucceeds_XfsExtentBusyFlush()
    {
        using var m = new XfsMachine();
        var most = FreeBytes(m) / 10 * 9 / 4096 * 4096;
        m.WriteFile("/big", most);
        m.Files.Unlink("/big").ShouldBe(Errno.Ok);

        var again = m.Files.Create("/again", FileCreateOptionsDefault()).Value;
        var written = m.Files.Write(again, default, new ByteLength(most));

        written.IsOk.ShouldBeTrue(written.Message);
        written.Value.ShouldBe(new ByteLength(most), "nine tenths of the space again: only possible once the busy extents are cleared");
    }

    private static ulong FreeBytes(XfsMachine m) =>
        m.Fs.ReverseMap.Query(new DeviceExtent(default, new ByteLength(1UL << 30))).Aggregate(1UL << 30, (left, r) => left - Math.Min(left, r.Extent.Length.Value));

    private static DaxHolder.Abstractions.Fs.FileCreateOptions FileCreateOptionsDefault() => DaxHolder.Abstractions.Fs.FileCreateOptions.Default;
}
