using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>fs/dax.c: page faults on a DAX file (dax_iomap_fault()).</summary>
internal sealed partial class FsDax
{
    /// <summary>
    /// fs/dax.c: dax_iomap_fault(vmf, order, ...) as a filesystem's fault handler calls it: a
    /// write fault on a frozen filesystem sleeps (sb_start_pagefault); a private write copies into
    /// an anonymous page; otherwise a PMD fault is tried where the VMA allows huge pages, falling
    /// back to a PTE fault.
    /// </summary>
    public FaultOutcome DaxIomapFault(VmFault vmf)
    {
        ArgumentNullException.ThrowIfNull(vmf);
        var file = vmf.Vma.File ?? throw new InvalidOperationException("DAX fault on an anonymous VMA");
        if (vmf.Write && file.Mapping.SuperBlock is { IsFrozen: true })
        {
            return new FaultOutcome(VmFaultResult.Blocked, Why: "sb_start_pagefault: the filesystem is frozen");
        }

        if (vmf.Write && !vmf.Vma.IsShared)
        {
            return DaxFaultCowPage(vmf, file);
        }

        if ((vmf.Vma.Flags & VmFlags.NoHugePage) == 0)
        {
            var pmd = DaxIomapPmdFault(vmf, file);
            if (pmd.Result != VmFaultResult.Fallback)
            {
                return pmd;
            }
        }

        return DaxIomapPteFault(vmf, file);
    }

    /// <summary>
    /// fs/dax.c: dax_iomap_pte_fault(): SIGBUS beyond i_size; a PMD zero or empty entry is
    /// downgraded; a read of a hole or unwritten extent maps the zero page; anything else needs a
    /// mapped extent, whose page (not in badblocks) is entered, associated and mapped.
    /// </summary>
    private FaultOutcome DaxIomapPteFault(VmFault vmf, OpenFile file)
    {
        var mapping = file.Mapping;
        var index = vmf.Pgoff;
        var position = new FileOffset(index.Value << PageGeometry.PageShift);
        if (position.Value >= file.Size.Value)
        {
            return new FaultOutcome(VmFaultResult.Sigbus, Why: "the page lies beyond i_size");
        }

        var entry = GrabMappingEntry(mapping, index, pmd: false);
        var request = IomapRequest.Fault | IomapRequest.Dax | (vmf.Write ? IomapRequest.Write : IomapRequest.Read);
        var begin = IomapBegin(file, position, ByteLength.Page, request);
        if (!begin.IsOk)
        {
            return new FaultOutcome(VmFaultResult.Sigbus, Why: $"iomap_begin: {begin.Error.ToKernelString()}");
        }

        var map = begin.Value.Map;
        if (!vmf.Write && map.Type != IomapType.Mapped)
        {
            return DaxLoadHole(vmf, mapping, entry, index, pmd: false);
        }

        if (map.Type != IomapType.Mapped && (map.Flags & IomapMappingFlags.Shared) == 0)
        {
            WarnOnce("fs/dax.c: dax_fault_iter", vmf.Task.Tid);
            return new FaultOutcome(VmFaultResult.Sigbus, Why: $"write fault on a {map.Type} extent");
        }

        if (Access(map, begin.Value.Source, position, ByteLength.Page) is { } failure)
        {
            return failure;
        }

        var pfn = PfnOf(map, position);
        var inserted = DaxInsertEntry(vmf, mapping, entry, index, pfn, map, pmd: false);
        var leafPfn = inserted.IsPmd ? inserted.PfnAt(index) : pfn;
        var leaf = new PageTableEntry(vmf.Address.PageAligned, PageGeometry.PageShift, PteKind.Dax, leafPfn, vmf.Write);
        vmf.Vma.Mm.PageTable.Set(leaf);
        IomapEnd(file, position, ByteLength.Page, request, map);
        return new FaultOutcome(VmFaultResult.NoPage, leaf);
    }

    /// <summary>
    /// fs/dax.c: dax_fault_cow_page(): a write to a private mapping copies the file page (or
    /// zeroes, over a hole) into a new anonymous page, which leaves the DAX path: no entry, no
    /// association. Copying from a bad block fails as the read would.
    /// </summary>
    private FaultOutcome DaxFaultCowPage(VmFault vmf, OpenFile file)
    {
        var position = new FileOffset(vmf.Pgoff.Value << PageGeometry.PageShift);
        if (position.Value >= file.Size.Value)
        {
            return new FaultOutcome(VmFaultResult.Sigbus, Why: "the page lies beyond i_size");
        }

        var begin = IomapBegin(file, position, ByteLength.Page, IomapRequest.Fault | IomapRequest.Dax);
        if (!begin.IsOk)
        {
            return new FaultOutcome(VmFaultResult.Sigbus, Why: $"iomap_begin: {begin.Error.ToKernelString()}");
        }

        var map = begin.Value.Map;
        if (map.Type == IomapType.Mapped && Access(map, null, position, ByteLength.Page) is { } failure)
        {
            return failure;
        }

        var leaf = new PageTableEntry(vmf.Address.PageAligned, PageGeometry.PageShift, PteKind.Anonymous, null, Writable: true);
        vmf.Vma.Mm.PageTable.Set(leaf);
        IomapEnd(file, position, ByteLength.Page, IomapRequest.Fault | IomapRequest.Dax, map);
        return new FaultOutcome(VmFaultResult.NoPage, leaf);
    }

    /// <summary>
    /// fs/dax.c: dax_load_hole() / dax_pmd_load_hole(): a read of a hole or unwritten extent maps
    /// the shared zero page (or huge zero folio) read-only, under a DAX_ZERO_PAGE entry that is
    /// never associated.
    /// </summary>
    private static FaultOutcome DaxLoadHole(VmFault vmf, AddressSpace mapping, DaxEntry? entry, PageIndex index, bool pmd)
    {
        var shift = pmd ? PageGeometry.PmdShift : PageGeometry.PageShift;
        if (entry is null || entry.IsEmpty)
        {
            var first = pmd ? new PageIndex(index.Value & ~PmdColour) : index;
            mapping.Entries.Store(new DaxEntry(first, null, DaxEntryFlags.ZeroPage | (pmd ? DaxEntryFlags.Pmd : 0)));
        }

        var leaf = new PageTableEntry(vmf.Address.AlignDown(1UL << shift), shift, PteKind.ZeroPage, null, Writable: false);
        vmf.Vma.Mm.PageTable.Set(leaf);
        return new FaultOutcome(VmFaultResult.NoPage, leaf);
    }

    /// <summary>
    /// fs/dax.c: dax_insert_entry(). `shared` is IOMAP_F_SHARED on 6.2+ and "write fault and
    /// IOMAP_F_SHARED" (cow) on 6.0–6.1. When replacing a zero or empty entry, or when shared, the
    /// index (or the 2 MiB of a PMD entry) is first unmapped from every process (so on 6.12, as
    /// Debian's 6.12.95 was seen to do, only the latest faulter of a shared extent keeps its PTE),
    /// the old entry is disassociated and the new one associated. A write marks the entry dirty.
    /// </summary>
    private DaxEntry DaxInsertEntry(VmFault vmf, AddressSpace mapping, DaxEntry? entry, PageIndex index, Pfn pfn, Iomap map, bool pmd)
    {
        var iomapShared = (map.Flags & IomapMappingFlags.Shared) != 0;
        var shared = kernel.Has(KernelFeature.DaxSharedOnReadFault) ? iomapShared : iomapShared && vmf.Write;
        var replacing = entry is null || entry.IsZero || entry.IsEmpty;
        if (!shared && !replacing)
        {
            entry!.Dirty |= vmf.Write;
            return entry;
        }

        if (entry is not null && (shared || replacing))
        {
            var unmapFirst = entry.IsPmd ? new PageIndex(index.Value & ~PmdColour) : index;
            var unmapLast = entry.IsPmd ? new PageIndex(unmapFirst.Value + PmdColour) : index;
            var removed = Unmap.UnmapMappingPages(mapping, unmapFirst, unmapLast, evenCows: false);
            if (removed.Count > 0)
            {
                kernel.Trace.Add(new RangeUnmapped(mapping.Host, new FileOffset(unmapFirst.Value << PageGeometry.PageShift),
                    new ByteLength((unmapLast.Value - unmapFirst.Value + 1) << PageGeometry.PageShift), removed));
            }

            DaxDisassociateEntry(entry, mapping);
            mapping.Entries.Remove(entry);
        }

        var first = pmd ? new PageIndex(index.Value & ~PmdColour) : index;
        var inserted = new DaxEntry(first, pfn, pmd ? DaxEntryFlags.Pmd : DaxEntryFlags.None) { Dirty = vmf.Write };
        DaxAssociateEntry(inserted, mapping, first, shared, vmf.Task.Tid);
        mapping.Entries.Store(inserted);
        return inserted;
    }

    /// <summary>
    /// fs/dax.c: grab_mapping_entry(): the entry at an index. A PTE fault inside a PMD zero or
    /// empty entry downgrades it: the 2 MiB is unmapped from every process and the entry removed.
    /// </summary>
    private DaxEntry? GrabMappingEntry(AddressSpace mapping, PageIndex index, bool pmd)
    {
        var entry = mapping.Entries.Lookup(index);
        if (!pmd && entry is { IsPmd: true } && !entry.HasPfn)
        {
            var first = entry.Index;
            var removed = Unmap.UnmapMappingPages(mapping, first, new PageIndex(first.Value + PmdColour), evenCows: false);
            if (removed.Count > 0)
            {
                kernel.Trace.Add(new RangeUnmapped(mapping.Host, new FileOffset(first.Value << PageGeometry.PageShift), new ByteLength(PageGeometry.PmdSize), removed));
            }

            mapping.Entries.Remove(entry);
            return null;
        }

        return entry;
    }

    /// <summary>
    /// fs/dax.c: dax_iomap_direct_access() for a fault: -EHWPOISON over a bad block becomes
    /// VM_FAULT_HWPOISON on 6.5+ and VM_FAULT_SIGBUS before; a dead device SIGBUS.
    /// A CoW source is read as well.
    /// </summary>
    private FaultOutcome? Access(Iomap map, Iomap? source, FileOffset position, ByteLength length)
    {
        foreach (var m in source is { Type: IomapType.Mapped } ? [map, source] : new[] { map })
        {
            var dax = m.DaxDevice as DaxDevice ?? throw new InvalidOperationException($"iomap for {position} names no dax_device of this machine");
            var error = dax.Pmem.DirectAccess(DeviceOffsetOf(m, position), length, recoveryWrite: false);
            if (error == Errno.EHWPOISON)
            {
                return new FaultOutcome(kernel.Has(KernelFeature.DaxFaultReportsHwpoison) ? VmFaultResult.HwPoison : VmFaultResult.Sigbus,
                    Why: "dax_direct_access: -EHWPOISON (the page is in the pmem badblocks)");
            }

            if (error != Errno.Ok)
            {
                return new FaultOutcome(VmFaultResult.Sigbus, Why: $"dax_direct_access: {error.ToKernelString()}");
            }
        }

        return null;
    }

    private static DeviceOffset DeviceOffsetOf(Iomap map, FileOffset position) =>
        map.Address!.Value.Add(new ByteLength(position.Value - map.Offset.Value));

    private static Pfn PfnOf(Iomap map, FileOffset position) =>
        ((DaxDevice)map.DaxDevice!).Pmem.PfnOf(DeviceOffsetOf(map, position));

    private static ErrnoOr<IomapResult> IomapBegin(OpenFile file, FileOffset position, ByteLength length, IomapRequest request) =>
        file.Iomap!.IomapBegin(file.Mapping.Host, position, length, request);

    private static void IomapEnd(OpenFile file, FileOffset position, ByteLength length, IomapRequest request, Iomap map) =>
        file.Iomap!.IomapEnd(file.Mapping.Host, position, length, (request & IomapRequest.Write) != 0 ? length : ByteLength.Zero, request, map);

    private void WarnOnce(string site, int pid)
    {
        if (kernel.Log.FirstWarning(site))
        {
            var line = $"WARNING: CPU: 0 PID: {pid} at {site}";
            kernel.Log.Printk(KernelLogLevel.Warning, line);
            kernel.Trace.Add(new KernelHealthEvent(KernelHealthKind.Warning, line, []));
        }
    }

    private const ulong PmdColour = (PageGeometry.PmdSize >> PageGeometry.PageShift) - 1;
}
