using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Drivers.Dax;

/// <summary>
/// drivers/dax/device.c: a device-DAX character device (/dev/daxX.Y; ndctl test/device-dax.c) over a
/// devdax-mode namespace. No filesystem and no holder: its MEMORY_DEVICE_GENERIC pgmap has no
/// memory_failure op, so failures take the generic path, where dax_lock_page() skips the entry
/// lock for the char-device mapping. Mappings must be aligned to the device's alignment (4 KiB,
/// 2 MiB or 1 GiB), and every fault maps exactly one unit of that size, so the failing page's
/// mapping shift (and si_addr_lsb) is 12, 21 or 30.
/// </summary>
internal sealed class DeviceDax
{
    internal DeviceDax(KernelContext kernel, string name, ulong physicalBase, ByteLength namespaceSize, ByteLength dataOffset, ulong align)
    {
        if (align is not (PageGeometry.PageSize or PageGeometry.PmdSize or PageGeometry.PudSize))
        {
            throw new ArgumentOutOfRangeException(nameof(align), align, $"{name}: align must be 4096, 2 MiB or 1 GiB");
        }

        if (((physicalBase + dataOffset.Value) & (align - 1)) != 0 || !namespaceSize.IsPageAligned || dataOffset >= namespaceSize)
        {
            throw new ArgumentException($"{name}: the data area must start {align}-aligned inside the namespace");
        }

        Name = name;
        Align = align;
        Size = namespaceSize - dataOffset;
        var start = Pfn.FromPhysicalAddress(physicalBase + dataOffset.Value);
        // drivers/dax/device.c: dev_dax_probe(): pgmap->vmemmap_shift = order_base_2(align >> PAGE_SHIFT)
        // ("device-dax: compound devmap support", 5.17): one compound folio per alignment unit.
        Pagemap = new DevPagemap(kernel, name, MemoryType.Generic, start, Size.ToPagesRoundedDown().Value, 0, ops: null)
        {
            VmemmapShift = System.Numerics.BitOperations.Log2(align >> PageGeometry.PageShift),
        };
        Mapping = new AddressSpace(null, new InodeNumber(0), isDax: true, isCharDevice: true);
    }

    public string Name { get; }

    /// <summary>dev_dax->align.</summary>
    public ulong Align { get; }

    public ByteLength Size { get; }

    public DevPagemap Pagemap { get; }

    /// <summary>The character device inode's mapping (S_ISCHR host).</summary>
    public AddressSpace Mapping { get; }

    /// <summary>open(2) of /dev/daxX.Y.</summary>
    public OpenFile Open() => new($"/dev/{Name}", Mapping, null, null, () => Size, () => { }) { References = 1, DeviceDax = this };

    /// <summary>drivers/dax/device.c: check_vma(): the VMA must be shared and aligned to the device's alignment.</summary>
    public Errno CheckVma(UserAddress start, ByteLength length, VmFlags flags)
    {
        if ((flags & VmFlags.Shared) == 0)
        {
            return Errno.EINVAL;
        }

        return (start.Value & (Align - 1)) != 0 || (length.Value & (Align - 1)) != 0 ? Errno.EINVAL : Errno.Ok;
    }

    /// <summary>
    /// drivers/dax/device.c: dev_dax_huge_fault() / __dev_dax_{pte,pmd,pud}_fault(): the fault
    /// maps the whole aligned unit around the address (SIGBUS beyond the device) and dax_set_mapping()
    /// associates the unit's folio with the char-device mapping at its pgoff, unless already
    /// associated: with compound folios ("mapping is only set on the head") only the head page.
    /// </summary>
    public FaultOutcome Fault(VmFault vmf)
    {
        ArgumentNullException.ThrowIfNull(vmf);
        var unitAddress = vmf.Address.AlignDown(Align);
        var pgoff = vmf.Vma.PgoffOf(unitAddress);
        var pages = Align >> PageGeometry.PageShift;
        if ((pgoff.Value + pages) << PageGeometry.PageShift > Size.Value)
        {
            return new FaultOutcome(VmFaultResult.Sigbus, Why: "the unit lies beyond the device");
        }

        var pfn = Pagemap.Start.Add(pgoff.Value);
        var associated = Pagemap.VmemmapShift > 0 ? 1 : pages;
        for (ulong i = 0; i < associated; i++)
        {
            var page = Pagemap.PageOf(pfn.Add(i));
            if (page.Mapping is null)
            {
                page.Associate(Mapping, new PageIndex(pgoff.Value + i));
            }
        }

        var shift = Align == PageGeometry.PudSize ? PageGeometry.PudShift : Align == PageGeometry.PmdSize ? PageGeometry.PmdShift : PageGeometry.PageShift;
        var leaf = new PageTableEntry(unitAddress, shift, PteKind.Dax, pfn, vmf.Write);
        vmf.Vma.Mm.PageTable.Set(leaf);
        return new FaultOutcome(VmFaultResult.NoPage, leaf);
    }
}
