using DaxHolder.Abstractions;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Versions;

namespace DaxHolder.Tests.Kernel;

/// <summary>Device-DAX (drivers/dax/device.c; ndctl test/device-dax.c): the generic path on a char device.</summary>
public sealed class DeviceDaxTests
{
    [Theory]
    [InlineData("6.1", PageGeometry.PmdSize, 21)]
    [InlineData("6.12", PageGeometry.PmdSize, 21)]
    [InlineData("6.12", PageGeometry.PudSize, 30)]
    public void Madvise_InsideAlignedUnit_InjectorGetsAr_WithUnitLsb_AndTheUnitIsUnmapped_NdctlDeviceDax(string kernel, ulong align, int lsb)
    {
        using var machine = Machine.Boot(KernelProfiles.Find(kernel)!);
        var devdax = machine.Nvdimm.AddDevdaxNamespace(0x1_0000_0000, new ByteLength(4UL << 30), new ByteLength(align), align);
        var p = machine.Tasks.Spawn(200, "daxctl-test");
        var file = devdax.Open();
        var vma = Mmap.DoMmap(p.Group.Mm!, file, new PageIndex(0), new ByteLength(align * 2), VmFlags.Read | VmFlags.Write | VmFlags.Shared).Value;
        var target = vma.Start.Add(align + PageGeometry.PageSize);
        machine.Fault.UserAccess(p, target, write: true);
        var mark = machine.Trace.Mark;

        machine.Madvise.HwPoison(p, target, ByteLength.Page).ShouldBe(Errno.Ok);

        var decisions = machine.Trace.Since(mark);
        decisions.OfType<GenericPathTaken>().ShouldHaveSingleItem("device-DAX has no memory_failure op");
        var signal = decisions.OfType<SignalSent>().ShouldHaveSingleItem().Signal;
        signal.Code.ShouldBe(Signals.BUS_MCEERR_AR);
        // mm/memory-failure.c: mf_generic_kill_procs() works on the compound folio's head (device-DAX
        // folios span the alignment unit: pgmap->vmemmap_shift), so si_addr is the unit's start, as
        // Debian's 6.12.95 reported it for a page 1 MiB into a 2 MiB unit (conformance/6.12/ndctl.device-dax-poison.json).
        signal.Address.ShouldBe(vma.Start.Add(align), "si_addr is the head of the poisoned page's folio");
        signal.AddressLsb.ShouldBe(lsb, "the mapping shift of the aligned unit");
        var unmapped = decisions.OfType<RangeUnmapped>().ShouldHaveSingleItem();
        unmapped.Length.Value.ShouldBe(align, "the whole aligned unit is unmapped");
        unmapped.Start.Value.ShouldBe(align);
        p.Exited.ShouldBeFalse("the SIGBUS handler ran");
    }

    [Fact]
    public void Mmap_NotAlignedToTheDevice_IsRefused_CheckVma()
    {
        using var machine = Machine.Boot(KernelProfiles.V6_12);
        var devdax = machine.Nvdimm.AddDevdaxNamespace(0x1_0000_0000, new ByteLength(1UL << 30), new ByteLength(PageGeometry.PmdSize), PageGeometry.PmdSize);
        var p = machine.Tasks.Spawn(200, "t");

        var result = Mmap.DoMmap(p.Group.Mm!, devdax.Open(), new PageIndex(0), new ByteLength(PageGeometry.PageSize), VmFlags.Read | VmFlags.Shared);

        result.Error.ShouldBe(Errno.EINVAL, "a device-DAX mapping must cover whole aligned units");
    }
}
