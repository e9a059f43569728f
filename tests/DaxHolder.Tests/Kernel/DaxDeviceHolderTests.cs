using DaxHolder.Abstractions;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Kernel;

/// <summary>drivers/dax/super.c: one holder per dax_device, and what notify_failure answers (fs_dax_get_by_bdev(), dax_holder_notify_failure()).</summary>
public sealed class DaxDeviceHolderTests
{
    /// <summary>fs_dax_get_by_bdev(): once a holder holds the device, a second claim with a holder gets NULL.</summary>
    [Fact]
    public void SecondHolderClaim_GetsNull()
    {
        using var m = new TestMachine();

        var second = DaxDevice.FsDaxGetByBdev(m.Kernel, m.Pmem.Disk, new object(), new StubHolder(Errno.Ok), "other");

        second.ShouldBeNull("cmpxchg(holder_data, NULL, holder) fails");
        m.Pmem.DaxDevice.HolderPlugin.ShouldBe("testfs", "the first holder keeps the device");
    }

    /// <summary>fs_dax_get_by_bdev(): the same holder claiming again also gets NULL.</summary>
    [Fact]
    public void SameHolderClaimingAgain_GetsNull()
    {
        using var m = new TestMachine();
        var holder = m.Pmem.DaxDevice.Holder.ShouldNotBeNull();

        var again = DaxDevice.FsDaxGetByBdev(m.Kernel, m.Pmem.Disk, holder, new StubHolder(Errno.Ok), "testfs");

        again.ShouldBeNull("a holder already exists, even if it is the same one");
    }

    /// <summary>fs_dax_get_by_bdev(): a NULL-holder caller (ext4-like) never conflicts and registers nothing.</summary>
    [Fact]
    public void NullHolder_NeverConflicts_AndRegistersNothing()
    {
        using var m = new TestMachine();
        var before = m.Pmem.DaxDevice.HolderOperations;

        var dax = DaxDevice.FsDaxGetByBdev(m.Kernel, m.Pmem.Disk, null, null, "ext4like");

        dax.ShouldBeSameAs(m.Pmem.DaxDevice);
        m.Pmem.DaxDevice.HolderOperations.ShouldBeSameAs(before, "the holder's operations are untouched");
        m.Pmem.DaxDevice.HolderPlugin.ShouldBe("testfs");
    }

    /// <summary>dax_holder_notify_failure(): a holder that registered NULL operations makes notify_failure answer -EOPNOTSUPP.</summary>
    [Fact]
    public void NotifyWithNoHolderOps_IsEopnotsupp()
    {
        using var m = new TestMachine(mount: false);
        DaxDevice.FsDaxGetByBdev(m.Kernel, m.Pmem.Disk, new object(), null, "noops").ShouldNotBeNull();

        var result = m.Pmem.DaxDevice.NotifyFailure(new DeviceOffset(0x1000), ByteLength.Page, MfFlags.None);

        result.ShouldBe(Errno.EOPNOTSUPP);
    }

    /// <summary>fs_put_dax(): after fs_put_dax the device has no holder, so a failure on a still-associated page takes the generic path.</summary>
    [Fact]
    public void AfterFsPutDax_FailureFallsBackToGenericPath()
    {
        using var m = new TestMachine();
        m.CreateFile("/f", 1);
        var p = m.Spawn(100, "injector");
        var pv = m.MapShared(p, "/f", huge: false);
        m.Touch(p, pv);
        m.Pmem.DaxDevice.FsPutDax(m.Pmem.DaxDevice.Holder);

        var (decisions, _) = m.Record(() => m.Madvise(p, pv).ShouldBe(Errno.Ok));

        decisions.OfType<HolderNotified>().ShouldHaveSingleItem().Result.ShouldBe(Errno.EOPNOTSUPP);
        decisions.OfType<GenericPathTaken>().ShouldHaveSingleItem();
        TestMachine.Signals(decisions).ShouldHaveSingleItem().Code.ShouldBe(Signals.BUS_MCEERR_AR);
    }

    /// <summary>fs_put_dax(): fs_put_dax by an object that is not the holder changes nothing.</summary>
    [Fact]
    public void FsPutDax_ByAnotherObject_KeepsTheHolder()
    {
        using var m = new TestMachine();
        var holder = m.Pmem.DaxDevice.Holder;

        m.Pmem.DaxDevice.FsPutDax(new object());

        m.Pmem.DaxDevice.Holder.ShouldBeSameAs(holder);
        m.Pmem.DaxDevice.HolderOperations.ShouldNotBeNull();
    }
}
