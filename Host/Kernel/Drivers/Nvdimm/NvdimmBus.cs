using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.Memremap;

namespace DaxHolder.Kernel.Drivers.Nvdimm;

/// <summary>
/// drivers/nvdimm/bus.c: the pmem namespaces of one machine. Adding one runs what pmem_attach_disk
/// does for a pfn device: the disk, its dax_device, and devm_memremap_pages for its pgmap.
/// </summary>
internal sealed class NvdimmBus(KernelContext kernel, DevPagemaps memremap)
{
    private readonly List<PmemDevice> pmems = [];
    private readonly List<Dax.DeviceDax> deviceDaxes = [];

    public IReadOnlyList<Dax.DeviceDax> DeviceDaxes => deviceDaxes;

    /// <summary>Creates the next daxN.0: a devdax-mode namespace with alignment <paramref name="align"/>.</summary>
    public Dax.DeviceDax AddDevdaxNamespace(ulong physicalBase, ByteLength namespaceSize, ByteLength dataOffset, ulong align)
    {
        var devdax = new Dax.DeviceDax(kernel, $"dax{deviceDaxes.Count}.0", physicalBase, namespaceSize, dataOffset, align);
        memremap.Add(devdax.Pagemap);
        deviceDaxes.Add(devdax);
        return devdax;
    }

    public IReadOnlyList<PmemDevice> Pmems => pmems;

    /// <summary>Creates the next pmemN: an fsdax namespace at a physical base.</summary>
    public PmemDevice AddFsdaxNamespace(ulong physicalBase, ByteLength namespaceSize, ByteLength dataOffset, MemmapLocation memmap)
    {
        var pmem = new PmemDevice(kernel, $"pmem{pmems.Count}", physicalBase, namespaceSize, dataOffset, memmap);
        memremap.Add(pmem.Pagemap);
        pmems.Add(pmem);
        return pmem;
    }

    /// <summary>The pmem device whose data area holds <paramref name="pfn"/>.</summary>
    public PmemDevice? FindByDataPfn(Pfn pfn)
    {
        foreach (var pmem in pmems)
        {
            if (pmem.IsDataPfn(pfn))
            {
                return pmem;
            }
        }

        return null;
    }

    public PmemDevice? Find(string name) => pmems.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
}
