using DaxHolder.Abstractions;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>fs_dax_get_by_bdev on partitions of a pmem disk (drivers/dax/super.c).</summary>
public sealed class PartitionTests
{
    [Fact]
    public void UnalignedPartition_GetsNoDax_AndLogsUnalignedPartition()
    {
        using var m = new TestMachine(mount: false);
        var partition = m.Pmem.AddPartition(new DeviceOffset(PageGeometry.SectorSize), new ByteLength(64 * PageGeometry.PageSize));
        var mark = m.Kernel.Log.Mark;

        var dax = DaxDevice.FsDaxGetByBdev(m.Kernel, partition, new object(), null, "testfs");

        dax.ShouldBeNull("a partition starting at sector 1 is not page-aligned");
        m.Kernel.Log.Since(mark).Select(l => l.Text).ShouldBe(["pmem0p1: error: unaligned partition for dax"]);
        m.Pmem.DaxDevice.Holder.ShouldBeNull("nothing was claimed");
    }

    [Fact]
    public void AlignedPartition_GetsTheWholeDisksDaxDevice_OneHolderPerDisk()
    {
        using var m = new TestMachine(mount: false);
        var first = m.Pmem.AddPartition(new DeviceOffset(PageGeometry.PmdSize), new ByteLength(PageGeometry.PmdSize));
        var second = m.Pmem.AddPartition(new DeviceOffset(2 * PageGeometry.PmdSize), new ByteLength(PageGeometry.PmdSize));

        var held = DaxDevice.FsDaxGetByBdev(m.Kernel, first, new object(), null, "a");
        var other = DaxDevice.FsDaxGetByBdev(m.Kernel, second, new object(), null, "b");

        held.ShouldBeSameAs(m.Pmem.DaxDevice, "a partition's dax_device is its disk's");
        other.ShouldBeNull("one notify_failure receiver per pmem disk: the second partition's holder is refused");
        first.Name.ShouldBe("pmem0p1");
        second.Name.ShouldBe("pmem0p2");
    }
}
