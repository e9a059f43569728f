using DaxHolder.Abstractions;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Tests.Kernel.Support;

namespace DaxHolder.Tests.Ext4.Support;

/// <summary>The QEMU machine Debian's kernels were observed on, with its pmem disk and nothing on it, for mkfs input tests.</summary>
internal sealed class TestMachineWithoutFs : IDisposable
{
    public TestMachineWithoutFs(string profile = "6.12")
    {
        Machine = Machine.Boot(TestMachine.Profile(profile));
        Pmem = Machine.Nvdimm.AddFsdaxNamespace(TestMachine.PhysicalBase, new ByteLength(1UL << 30), new ByteLength(PageGeometry.PmdSize), MemmapLocation.Ram);
    }

    public Machine Machine { get; }

    public PmemDevice Pmem { get; }

    public BlockDevice Disk => Pmem.Disk;

    public void Dispose() => Machine.Dispose();
}
